import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../infra/logger.js';
import { migrations } from './migrations/index.js';
import { PGlitePool } from './pglite-pool.js';
import { preparedStatements } from './prepared.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const INT8 = 20;
const toNumber = (v: string) => Number(v);

// bigint columns hold fen and counts well inside Number's exact range.
pg.types.setTypeParser(INT8, toNumber);

export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  logger?: Logger;
  poolSize?: number;
  /** a dumped, migrated PGlite data dir to start a new embedded database from (tests) */
  pgliteTemplate?: Blob | undefined;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 20 });
    pool.on('error', (err) => options.logger?.warn({ err }, 'postgres pool error'));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparedStatements(pool) }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const dir = path.join(options.dataDir, 'pglite');
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: dir,
    parsers: { [INT8]: toNumber },
    ...(fresh && options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Db, logger?: Logger): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Migrations written in parallel can land out of number order; a database that already ran a
    // later one still takes the earlier one instead of refusing to start.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of applied) logger?.info({ migration: name }, 'migration applied');
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return applied;
}

/**
 * Lets the current transaction commit without waiting for its WAL to reach the disk. For work
 * that is redone after a crash anyway: a crash of PostgreSQL can lose such commits from the last
 * moments, always a suffix of them (the WAL replays in order), and the next ordinary commit makes
 * every earlier one durable.
 */
export async function commitWithoutWaitingForDisk(trx: Db): Promise<void> {
  await sql`SELECT set_config('synchronous_commit', 'off', true)`.execute(trx);
}
