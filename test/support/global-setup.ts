import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../server/db/database.js';
import { PGlitePool } from '../../server/db/pglite-pool.js';
import type { Database } from '../../server/db/schema.js';
import { startLocalRedis } from '../../server/infra/local-redis.js';
import { createLogger } from '../../server/infra/logger.js';
import { buildSidebarIfStale } from './sidebar-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** a migrated PGlite data dir (tar): every test database starts from it instead of initdb */
    pgliteTemplate: string;
  }
}

async function buildPgliteTemplate(dir: string): Promise<string> {
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  await migrateToLatest(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  const file = path.join(dir, 'pglite-template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  return file;
}

/**
 * One redis-server for the whole run (no persistence); each test isolates itself by key prefix.
 * The sidebar is built here, once, for the browser tests that serve it.
 */
export default async function setup(project: TestProject) {
  buildSidebarIfStale();
  const dir = mkdtempSync(path.join(tmpdir(), 'scrm-suite-'));
  const [redis, template] = await Promise.all([
    startLocalRedis({ logger: createLogger({ level: 'silent' }) }),
    buildPgliteTemplate(dir),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('pgliteTemplate', template);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
