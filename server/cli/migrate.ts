import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { createLogger } from '../infra/logger.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger();
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const applied = await migrateToLatest(handle.db, logger);
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n',
    );
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`migrate failed: ${message}\n`);
  process.exit(1);
});
