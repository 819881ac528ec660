import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { AppConfig } from '../../server/config.js';
import type { Clock } from '../../server/infra/clock.js';
import { createLogger } from '../../server/infra/logger.js';
import { type Runtime, startRuntime } from '../../server/runtime.js';

export const TEST_WECOM = {
  corpId: 'wwtestcorp0000001',
  agentId: 1000002,
  secret: 'test-secret-test-secret-test-secret-000001',
  token: 'testtoken123',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

export function tempDir(prefix = 'scrm-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * With TEST_DATABASE_URL set, each caller gets a fresh database on that PostgreSQL server;
 * otherwise undefined (PGlite in the test's temp dir).
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  const name = `scrm_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function testConfig(dataDir: string, overrides: Partial<AppConfig> = {}): AppConfig {
  const publicUrl = 'http://localhost:3000';
  return {
    port: 0,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    dataDir,
    databaseUrl: undefined,
    redisUrl: inject('redisUrl'),
    // no scheduler: a test app must not start the first WeCom import or periodic scans on its own
    roles: new Set(['api', 'worker']),
    demo: false,
    wecom: {
      ...TEST_WECOM,
      apiBase: 'http://127.0.0.1:9',
      oauthBase: 'http://127.0.0.1:9',
      botWebhookKey: 'test-robot',
    },
    ingestSecret: 'test-ingest-secret-0123456789',
    sessionSecret: 'test-session-secret-0123456789',
    supervisorUserids: ['boss'],
    adminUserids: ['root'],
    ...overrides,
  };
}

export interface TestApp {
  runtime: Runtime;
  url: string;
  config: AppConfig;
  stop(): Promise<void>;
}

let template: Blob | undefined;
/** The suite's migrated PGlite data dir, read once per test worker. */
export function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return template;
}

/** A whole app on real Redis and a fresh database, its queues under a prefix of its own. */
export async function startTestApp(
  options: { config?: Partial<AppConfig>; clock?: Clock; dataDir?: string } = {},
): Promise<TestApp> {
  const tmp = options.dataDir ? undefined : tempDir();
  const dataDir = options.dataDir ?? tmp!.dir;
  const pgdb = options.config?.databaseUrl ? undefined : await freshPostgresDatabase();
  const config = testConfig(dataDir, { ...(pgdb ? { databaseUrl: pgdb.url } : {}), ...options.config });
  const runtime = await startRuntime(config, {
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    queuePrefix: `t${randomBytes(4).toString('hex')}`,
    shutdownGraceMs: 2000,
    ...(config.databaseUrl ? {} : { pgliteTemplate: pgliteTemplate() }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    runtime,
    url: runtime.url!,
    config,
    async stop() {
      await runtime.stop();
      await pgdb?.drop();
      tmp?.remove();
    },
  };
}
