import type { Server } from 'node:http';
import express from 'express';
import type { Scenario } from '../harness.js';
import { load, startBenchApp } from '../support.js';

/** The full middleware stack on GET /healthz against a bare Express handler on the same machine. */
export function httpScenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let bare: Server;
  let bareUrl = '';
  return {
    name: 'http',
    description: 'GET /healthz through the app stack vs a bare Express handler, 10 connections, 3 s',
    runs: 3,
    async setup() {
      app = await startBenchApp();
      const b = express();
      b.get('/healthz', (_req, res) => {
        res.json({ status: 'ok' });
      });
      bare = b.listen(0);
      await new Promise((r) => bare.once('listening', r));
      bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
    },
    async run() {
      const baseline = await load({ url: `${bareUrl}/healthz`, connections: 10, duration: 3 });
      const stack = await load({ url: `${app.runtime.url}/healthz`, connections: 10, duration: 3 });
      return [
        { name: 'bare express req/s', value: baseline.rps, unit: 'req/s', better: 'higher' },
        {
          name: 'app /healthz req/s',
          value: stack.rps,
          unit: 'req/s',
          better: 'higher',
          baseline: 'bare express req/s',
        },
        { name: 'bare express p99', value: baseline.p99, unit: 'ms', better: 'lower' },
        {
          name: 'app /healthz p99',
          value: stack.p99,
          unit: 'ms',
          better: 'lower',
          baseline: 'bare express p99',
        },
      ];
    },
    async teardown() {
      await new Promise((r) => bare.close(r));
      await app.stop();
    },
  };
}
