import { createHmac, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { sql } from 'kysely';
import pg from 'pg';
import { createSessionStore, SESSION_COOKIE } from '../../server/http/middleware/session.js';
import type { Figure, Scenario } from '../harness.js';
import { benchCustomerId, C360_SIZES, generateC360Data, hasC360Data } from '../load/customer360-data.js';
import { runLoadProcess, startBenchApp } from '../support.js';

const DB_NAME = 'scrm_bench_c360';
const CONNECTIONS = Number(process.env.BENCH_C360_CONNECTIONS ?? 4);
const SECONDS = 5;

/** The bench database, created once and kept: generating 10M timeline rows takes minutes. */
async function benchDatabaseUrl(): Promise<string> {
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  const exists = await c.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (!exists.rowCount) await c.query(`CREATE DATABASE ${DB_NAME}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

/** A supervisor session written through the app's own session store, and its signed cookie. */
async function supervisorCookie(
  app: Awaited<ReturnType<typeof startBenchApp>>,
  secret: string,
): Promise<string> {
  const store = createSessionStore(app.runtime.ctx.redis, app.runtime.ctx.jobs.prefix);
  const sid = randomBytes(18).toString('base64url');
  const maxAge = 3_600_000;
  await store.set(sid, {
    cookie: {
      originalMaxAge: maxAge,
      expires: new Date(Date.now() + maxAge),
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    },
    user: { userid: 'bench-boss', name: '主管', role: 'supervisor' },
  } as never);
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

const randomCustomer = () => benchCustomerId(1 + Math.floor(Math.random() * C360_SIZES.customers));

/**
 * GET /api/customers/:id and the first timeline page over random customers of 1M (10M timeline
 * rows, 3M orders) on PostgreSQL, against `select 1` through the same Kysely pool in a bare
 * Express handler.
 */
export function customer360Scenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let bare: Server;
  let bareUrl = '';
  let cookie = '';
  const secret = 'bench-session-secret-0123';
  return {
    name: 'customer360',
    description: `sidebar reads on PostgreSQL (1M customers, 10M timeline, 3M orders), ${CONNECTIONS} connections, ${SECONDS} s`,
    runs: 3,
    async setup() {
      const databaseUrl = await benchDatabaseUrl();
      app = await startBenchApp({ databaseUrl, sessionSecret: secret });
      const { db } = app.runtime.ctx;
      if (!(await hasC360Data(db))) {
        console.log(`  generating bench data in ${DB_NAME} (kept for later runs)…`);
        const t0 = performance.now();
        await generateC360Data(db, (line) => console.log(line));
        console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
      cookie = await supervisorCookie(app, secret);
      const b = express();
      b.get('/select1', async (_req, res) => {
        const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
        res.json(rows[0]);
      });
      bare = b.listen(0);
      await new Promise((r) => bare.once('listening', r));
      bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
      // warm the caches the way a running server has them warm
      for (let i = 0; i < 200; i++) {
        await fetch(`${app.runtime.url}/api/customers/${randomCustomer()}`, { headers: { cookie } });
      }
    },
    async run() {
      const loadOf = (origin: string, template: string, withCookie = true) =>
        runLoadProcess('bench/load/customer360-load.ts', [
          origin,
          template,
          String(CONNECTIONS),
          String(SECONDS),
          ...(withCookie ? [cookie] : []),
        ]);
      const baseline = await loadOf(bareUrl, '/select1', false);
      const me = await loadOf(app.runtime.url!, '/api/me');
      const profile = await loadOf(app.runtime.url!, '/api/customers/{id}');
      const timeline = await loadOf(app.runtime.url!, '/api/customers/{id}/timeline');
      for (const [name, r] of Object.entries({ profile, timeline, baseline, me })) {
        if (r.errors || r.non2xx) throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
      }
      const figures = (label: string, r: typeof baseline, base?: string): Figure[] => [
        {
          name: `${label} p50`,
          value: r.p50,
          unit: 'ms',
          better: 'lower',
          ...(base ? { baseline: `${base} p50` } : {}),
        },
        {
          name: `${label} p99`,
          value: r.p99,
          unit: 'ms',
          better: 'lower',
          ...(base ? { baseline: `${base} p99` } : {}),
        },
        { name: `${label} req/s`, value: r.rps, unit: 'req/s', better: 'higher' },
      ];
      return [
        ...figures('select 1 (bare express, same pool)', baseline),
        ...figures('GET /api/me (stack + session, no SQL)', me, 'select 1 (bare express, same pool)'),
        ...figures('GET /api/customers/:id', profile, 'select 1 (bare express, same pool)'),
        ...figures('GET /api/customers/:id/timeline', timeline, 'select 1 (bare express, same pool)'),
      ];
    },
    async teardown() {
      await new Promise((r) => bare?.close(r));
      await app?.stop();
    },
  };
}
