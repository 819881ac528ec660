import type { AddressInfo } from 'node:net';
import { decrypt, getSignature } from '@wecom/crypto';
import express from 'express';
import { SimulatorClient } from '../../simulator/client.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../simulator/index.js';

export const simOptions: SimulatorOptions = {
  corpId: 'wwtestcorp000001',
  corpSecret: 'test-secret',
  agentId: 1000002,
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

export interface TestSimulator {
  sim: RunningSimulator;
  client: SimulatorClient;
  api: WeComApi;
}

export async function startTestSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<TestSimulator> {
  const sim = await startSimulator({ ...simOptions, ...overrides });
  return { sim, client: new SimulatorClient(sim.url), api: new WeComApi(sim.url) };
}

// biome-ignore lint/suspicious/noExplicitAny: WeCom answers are loose JSON; tests assert on fields
export type WeComAnswer = Record<string, any> & { errcode: number; errmsg: string };

/** Calls the simulator the way the product calls WeCom. */
export class WeComApi {
  token = '';

  constructor(readonly base: string) {}

  async get(path: string, query: Record<string, string> = {}): Promise<WeComAnswer> {
    const url = new URL(`/cgi-bin/${path}`, this.base);
    for (const [key, value] of Object.entries({ access_token: this.token, ...query })) {
      url.searchParams.set(key, value);
    }
    return (await fetch(url)).json() as Promise<WeComAnswer>;
  }

  async post(path: string, body: unknown, query: Record<string, string> = {}): Promise<WeComAnswer> {
    const url = new URL(`/cgi-bin/${path}`, this.base);
    for (const [key, value] of Object.entries({ access_token: this.token, ...query })) {
      url.searchParams.set(key, value);
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json() as Promise<WeComAnswer>;
  }

  async login(): Promise<string> {
    const answer = await this.get('gettoken', {
      corpid: simOptions.corpId,
      corpsecret: simOptions.corpSecret,
    });
    this.token = String(answer.access_token);
    return this.token;
  }
}

export interface ReceivedCallback {
  query: Record<string, string>;
  body: string;
  contentType: string | undefined;
}

/** A stand-in for the product's POST /wecom/callback: records what arrives and answers `success`. */
export async function startReceiver(
  answer: { status: number; body: string } = { status: 200, body: 'success' },
) {
  const received: ReceivedCallback[] = [];
  const app = express();
  app.use(express.text({ type: () => true }));
  app.get('/wecom/callback', (req, res) => {
    const { msg_signature: sig, timestamp, nonce, echostr } = req.query as Record<string, string>;
    if (getSignature(simOptions.token, timestamp ?? '', nonce ?? '', echostr ?? '') !== sig) {
      res.status(401).send('bad signature');
      return;
    }
    res.type('text/plain').send(decrypt(simOptions.encodingAesKey, echostr ?? '').message);
  });
  app.post('/wecom/callback', (req, res) => {
    received.push({
      query: req.query as Record<string, string>,
      body: String(req.body),
      contentType: req.headers['content-type'],
    });
    res.status(answer.status).send(answer.body);
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wecom/callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
