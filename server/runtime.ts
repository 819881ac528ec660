import type { Server } from 'node:http';
import path from 'node:path';
import type { AppConfig } from './config.js';
import type { AppContext } from './context.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './db/database.js';
import { demoRoutes } from './demo/demo-routes.js';
import { type DemoWeCom, startDemoWeCom } from './demo/demo-wecom.js';
import { seedDemoDatabase, seedSimulator } from './demo/seed.js';
import { createHttpServer } from './http/app.js';
import { type Clock, systemClock } from './infra/clock.js';
import { startLocalRedis } from './infra/local-redis.js';
import { createLogger, type Logger } from './infra/logger.js';
import { createMetrics } from './infra/metrics.js';
import { connectRedis, createFailFastRedis } from './infra/redis.js';
import { createJobHandlers } from './jobs/handlers.js';
import { schedules } from './jobs/schedules.js';
import { JobQueue } from './queue/job-queue.js';
import { upsertSchedules } from './queue/scheduler.js';
import { startWorkers, type Workers } from './queue/workers.js';
import { createServices, type Services } from './services/container.js';

export interface RuntimeOptions {
  logger?: Logger;
  clock?: Clock;
  /** BullMQ key prefix; tests give each run its own. */
  queuePrefix?: string;
  /** Bounded wait for running jobs on shutdown. */
  shutdownGraceMs?: number;
  /** a migrated PGlite data dir to copy into a new embedded database (tests: saves initdb) */
  pgliteTemplate?: Blob;
}

export interface Runtime {
  ctx: AppContext;
  services: Services;
  /** The API's base URL when the api role runs. */
  url: string | undefined;
  stop(): Promise<void>;
}

/**
 * Brings up the process's roles on the given configuration. Every resource opened is closed by
 * `stop`, in reverse order; a failure half-way closes what was opened and rethrows.
 */
export async function startRuntime(config: AppConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger();
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, 'error during shutdown');
      }
    }
  };

  try {
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const local = await startLocalRedis({ dir: path.join(config.dataDir, 'redis'), logger });
      cleanups.push(local.stop);
      redisUrl = local.url;
    }

    let demo: DemoWeCom | undefined;
    if (config.demo) {
      demo = await startDemoWeCom(config, logger);
      cleanups.push(demo.close);
    }

    const dbHandle: DatabaseHandle = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      logger,
      pgliteTemplate: options.pgliteTemplate,
    });
    cleanups.push(dbHandle.close);
    await migrateToLatest(dbHandle.db, logger);
    logger.info({ database: dbHandle.kind }, 'database ready');

    const redis = createFailFastRedis(redisUrl);
    redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
    await connectRedis(redis);
    cleanups.push(async () => redis.quit().catch(() => redis.disconnect()));

    const jobs = new JobQueue(redis, options.queuePrefix ?? 'scrm');
    cleanups.push(() => jobs.close());

    const ctx: AppContext = {
      config,
      logger,
      db: dbHandle.db,
      redis,
      jobs,
      metrics: createMetrics(),
      clock: options.clock ?? systemClock,
    };

    const services = createServices(ctx);
    cleanups.push(() => services.wecom.close());
    if (demo) {
      await seedSimulator(demo.control, ctx.clock.now());
      await seedDemoDatabase({ db: ctx.db, clock: ctx.clock, logger, services });
    }

    let workers: Workers | undefined;
    if (config.roles.has('worker')) {
      workers = startWorkers({
        redisUrl,
        prefix: jobs.prefix,
        handlers: createJobHandlers(ctx, services),
        logger,
      });
      const grace = options.shutdownGraceMs ?? 10_000;
      const w = workers;
      cleanups.push(() =>
        Promise.race([w.close(), new Promise((resolve) => setTimeout(resolve, grace).unref())]),
      );
    }
    if (config.roles.has('scheduler')) {
      await upsertSchedules(jobs, schedules, logger);
      await services.sop.rules.syncSchedules(); // one scheduler per SOP rule with a schedule
      if (!(await services.fullSync.hasCompletedOnce())) {
        await jobs.enqueue('wecom.full-sync', { reason: 'initial' }, { jobId: 'initial-full-sync' });
      }
    }

    let url: string | undefined;
    if (config.roles.has('api')) {
      const extraRoutes = demo ? [demoRoutes(ctx, services, demo)] : [];
      const server: Server = createHttpServer(ctx, services, extraRoutes).listen(config.port);
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://127.0.0.1:${port}`;
      await demo?.setCallbackUrl(`${url}/wecom/callback`);
      // registered last, so it runs first: stop accepting before anything else closes
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      logger.info({ url: config.publicUrl, roles: [...config.roles] }, '私域助手 is listening');
    }

    return { ctx, services, url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
