/**
 * A separate process that POSTs validly signed and encrypted add_external_contact callbacks,
 * every one distinct, so the server under test does not share its CPU with the load generator's
 * crypto. Usage: tsx bench/load/callback-load.ts URL COUNT CONNECTIONS SEED
 * Prints one JSON line: { rps, p50, p99, errors, non2xx }.
 */
import { encrypt, getSignature } from '@wecom/crypto';
import autocannon from 'autocannon';
import { BENCH_WECOM } from './bench-wecom.js';

const [url, countArg, connectionsArg, seed] = process.argv.slice(2);
const count = Number(countArg);
const connections = Number(connectionsArg);

const createTime = Math.floor(Date.now() / 1000);
const bodies: string[] = [];
const paths: string[] = [];
const base = new URL(url!);
for (let i = 0; i < count; i++) {
  const xml = `<xml><ToUserName><![CDATA[${BENCH_WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[bench-staff-${i % 20}]]></UserID><ExternalUserID><![CDATA[wm${seed}x${i}]]></ExternalUserID><State><![CDATA[bench]]></State></xml>`;
  const encrypted = encrypt(BENCH_WECOM.encodingAesKey, xml, BENCH_WECOM.corpId);
  const nonce = String(100000 + i);
  const signature = getSignature(BENCH_WECOM.token, createTime, nonce, encrypted);
  bodies.push(
    `<xml><ToUserName><![CDATA[${BENCH_WECOM.corpId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
  );
  paths.push(`${base.pathname}?msg_signature=${signature}&timestamp=${createTime}&nonce=${nonce}`);
}

let next = 0;
const result = await autocannon({
  url: base.origin,
  connections,
  amount: count,
  method: 'POST',
  headers: { 'content-type': 'text/xml' },
  requests: [
    {
      setupRequest: (req) => {
        const i = next++ % count;
        return { ...req, path: paths[i]!, body: bodies[i]! };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  })}\n`,
);
