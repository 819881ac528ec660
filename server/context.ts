import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { Clock } from './infra/clock.js';
import type { Logger } from './infra/logger.js';
import type { Metrics } from './infra/metrics.js';
import type { Redis } from './infra/redis.js';
import type { JobQueue } from './queue/job-queue.js';

/** The infrastructure every layer receives from outside; nothing imports a client module. */
export interface AppContext {
  config: AppConfig;
  logger: Logger;
  db: Db;
  redis: Redis;
  jobs: JobQueue;
  metrics: Metrics;
  clock: Clock;
}
