import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { AppConfig } from '../server/config.js';
import { startLocalRedis } from '../server/infra/local-redis.js';
import { createLogger } from '../server/infra/logger.js';
import { type Runtime, startRuntime } from '../server/runtime.js';

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
      corpId: 'wwbenchcorp000001',
      agentId: 1000002,
      secret: 'bench-secret',
      token: 'benchtoken',
      encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
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
