/**
 * A separate process that GETs one path template over random bench customers on keep-alive
 * connections, so the server under test does not share its event loop with the load generator.
 * Latency is taken per request with sub-millisecond resolution.
 * Usage: tsx bench/load/customer360-load.ts ORIGIN PATH_TEMPLATE CONNECTIONS SECONDS [COOKIE]
 * (`{id}` in the template becomes a random customer). Prints one JSON line: { rps, p50, p99, errors, non2xx }.
 */
import http from 'node:http';
import { benchCustomerId, C360_SIZES } from './customer360-data.js';

const [origin, template, connectionsArg, secondsArg, cookie] = process.argv.slice(2);
const connections = Number(connectionsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const base = new URL(origin!);

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { agent, host: base.hostname, port: base.port, path, headers: cookie ? { cookie } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
  });
}

const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
const started = performance.now();
const deadline = started + Number(secondsArg) * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      const path = template!.replace(
        '{id}',
        benchCustomerId(1 + Math.floor(Math.random() * C360_SIZES.customers)),
      );
      const t0 = performance.now();
      try {
        const status = await get(path);
        if (status < 200 || status > 299) non2xx++;
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors, non2xx })}\n`,
);
agent.destroy();
