import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { AppConfig } from '../server/config.js';
import { startLocalRedis } from '../server/infra/local-redis.js';
import { createLogger } from '../server/infra/logger.js';
import { type Runtime, startRuntime } from '../server/runtime.js';
import { BENCH_WECOM } from './load/bench-wecom.js';

export const silent = createLogger({ level: 'silent' });

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A whole app (all roles) on a private redis-server and PGlite (or BENCH_DATABASE_URL). */
export async function startBenchApp(overrides: Partial<AppConfig> = {}): Promise<{
  runtime: Runtime;
  stop(): Promise<void>;
}> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scrm-bench-'));
  const redis = await startLocalRedis({ logger: silent });
  const config: AppConfig = {
    port: 0,
    publicUrl: 'http://localhost:3000',
    publicOrigin: 'http://localhost:3000',
    dataDir,
    databaseUrl: process.env.BENCH_DATABASE_URL,
    redisUrl: redis.url,
    roles: new Set(['api']),
    demo: false,
    wecom: {
      ...BENCH_WECOM,
      apiBase: 'http://127.0.0.1:9',
      oauthBase: 'http://127.0.0.1:9',
      botWebhookKey: undefined,
    },
    ingestSecret: 'bench-ingest-secret-0123',
    sessionSecret: 'bench-session-secret-0123',
    supervisorUserids: [],
    adminUserids: [],
    ...overrides,
  };
  const runtime = await startRuntime(config, { logger: silent, queuePrefix: 'bench' });
  return {
    runtime,
    async stop() {
      await runtime.stop();
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a load generator in its own process and reads its one JSON line. */
export async function runLoadProcess(script: string, args: string[]): Promise<LoadResult> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { maxBuffer: 1 << 20, env: process.env },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${script} failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult);
      },
    );
  });
}

/** A fresh PostgreSQL database for one benchmark run (BENCH_PG_URL or the local server). */
export async function freshBenchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The WeCom simulator in a process of its own, as WeCom is remote from the server under test. */
export async function startSimulatorProcess(credentials: {
  corpId: string;
  secret: string;
  agentId: number;
  token: string;
  encodingAesKey: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('../server/infra/net.js');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'simulator/main.ts'], {
    env: {
      ...process.env,
      SIM_PORT: String(port),
      SIM_CORP_ID: credentials.corpId,
      SIM_CORP_SECRET: credentials.secret,
      SIM_AGENT_ID: String(credentials.agentId),
      SIM_TOKEN: credentials.token,
      SIM_ENCODING_AES_KEY: credentials.encodingAesKey,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/sim/config`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('simulator process did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
