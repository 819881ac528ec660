import 'dotenv/config';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './infra/logger.js';
import { startRuntime } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger();
  const runtime = await startRuntime(config, { logger });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // Configuration problems are the operator's to fix: one line, no stack trace.
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`私域助手 cannot start: ${message}\n`);
  process.exit(1);
});
