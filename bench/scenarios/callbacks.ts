import type { Server } from 'node:http';
import express from 'express';
import type { Figure, Scenario } from '../harness.js';
import { runLoadProcess, startBenchApp } from '../support.js';

const COUNT = Number(process.env.BENCH_CALLBACKS ?? 100_000);
const LOAD = 'bench/load/callback-load.ts';

/**
 * POST /wecom/callback (verify, decrypt, parse, dedupe, enqueue) against a bare Express handler
 * in the same process that reads the same body and answers `success`. The load generator runs in
 * its own process; every request is a distinct, validly signed event.
 */
export function callbacksScenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let bare: Server;
  let bareUrl = '';
  return {
    name: 'callbacks',
    description: `${COUNT.toLocaleString()} distinct signed add_external_contact callbacks at 10 and 50 connections`,
    runs: Number(process.env.BENCH_RUNS ?? 2),
    async setup() {
      app = await startBenchApp({ roles: new Set(['api']) });
      const b = express();
      b.post('/wecom/callback', express.text({ type: () => true, limit: '256kb' }), (_req, res) => {
        res.type('text/plain').send('success');
      });
      bare = b.listen(0);
      await new Promise((r) => bare.once('listening', r));
      bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/wecom/callback`;
    },
    async run(iteration) {
      const figures: Figure[] = [];
      for (const connections of [10, 50]) {
        const seed = `r${iteration}c${connections}`;
        const baseline = await runLoadProcess(LOAD, [bareUrl, String(COUNT), String(connections), seed]);
        const real = await runLoadProcess(LOAD, [
          `${app.runtime.url}/wecom/callback`,
          String(COUNT),
          String(connections),
          seed,
        ]);
        if (real.errors || real.non2xx)
          throw new Error(`callback run had ${real.errors} errors, ${real.non2xx} non-2xx`);
        const bareName = `bare handler @${connections} req/s`;
        const bareP99 = `bare handler @${connections} p99`;
        figures.push(
          { name: bareName, value: baseline.rps, unit: 'req/s', better: 'higher' },
          {
            name: `callback @${connections} req/s`,
            value: real.rps,
            unit: 'req/s',
            better: 'higher',
            baseline: bareName,
          },
          { name: `bare handler @${connections} p50`, value: baseline.p50, unit: 'ms', better: 'lower' },
          { name: `callback @${connections} p50`, value: real.p50, unit: 'ms', better: 'lower' },
          { name: bareP99, value: baseline.p99, unit: 'ms', better: 'lower' },
          {
            name: `callback @${connections} p99`,
            value: real.p99,
            unit: 'ms',
            better: 'lower',
            baseline: bareP99,
          },
        );
      }
      const queued = await app.runtime.ctx.jobs.queue('sync').count();
      figures.push({ name: 'jobs enqueued (cumulative)', value: queued, unit: 'jobs', better: 'higher' });
      return figures;
    },
    async teardown() {
      await new Promise((r) => bare.close(r));
      await app.stop();
    },
  };
}
