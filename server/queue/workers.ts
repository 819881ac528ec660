import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../infra/logger.js';
import { redisOptionsFromUrl } from '../infra/redis.js';
import { type JobData, type JobName, jobCatalogue, QUEUE_NAMES, type QueueName } from '../jobs/catalogue.js';

export interface JobContext {
  jobId: string;
  attempt: number;
  log: Logger;
}

export type JobHandler<N extends JobName> = (data: JobData<N>, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** Errors a retry cannot fix (a permanent WeCom errcode, a missing row) carry `permanent`. */
export function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

/** Refuses to boot when a job in the catalogue has no handler, or a handler names no job. */
export function assertCompleteRegistry(handlers: Partial<Record<string, unknown>>): void {
  const missing = Object.keys(jobCatalogue).filter((name) => typeof handlers[name] !== 'function');
  const unknown = Object.keys(handlers).filter((name) => !(name in jobCatalogue));
  if (missing.length) throw new Error(`job handlers missing for: ${missing.join(', ')}`);
  if (unknown.length) throw new Error(`handlers registered for unknown jobs: ${unknown.join(', ')}`);
}

/**
 * Sync jobs mostly wait on WeCom and the database, so they run wide: contact events are written in
 * group commits (one transaction for the events whose fetches finish together), so more jobs in
 * flight means bigger batches and fewer statements per event (16 → 64: ~4 → ~15 events a batch).
 * SOP scans are heavy SQL.
 */
export const QUEUE_CONCURRENCY: Record<QueueName, number> = {
  welcome: 20,
  sync: 64,
  sop: 2,
  delivery: 4,
  default: 4,
};

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(options: {
  redisUrl: string;
  prefix: string;
  handlers: JobHandlers;
  logger: Logger;
  queues?: readonly QueueName[];
  concurrency?: Partial<Record<QueueName, number>>;
}): Workers {
  assertCompleteRegistry(options.handlers);
  const handlers = options.handlers as unknown as Record<string, JobHandler<JobName>>;
  const workers = (options.queues ?? QUEUE_NAMES).map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job: Job) => {
        const name = job.name as JobName;
        const definition = jobCatalogue[name];
        if (!definition) throw new UnrecoverableError(`unknown job ${job.name}`);
        // a child logger costs a little, and most jobs never log: made on first use
        let log: Logger | undefined;
        const jobLog = () =>
          (log ??= options.logger.child({ job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 }));
        try {
          return await handlers[name]!(definition.schema.parse(job.data), {
            jobId: job.id!,
            attempt: job.attemptsMade + 1,
            get log() {
              return jobLog();
            },
          });
        } catch (err) {
          if (isPermanent(err)) {
            jobLog().warn({ err }, 'job failed permanently');
            throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
          }
          throw err;
        }
      },
      {
        connection: {
          ...redisOptionsFromUrl(options.redisUrl),
          maxRetriesPerRequest: null,
          retryStrategy: (times: number) => Math.min(times * 500, 5000),
        },
        prefix: options.prefix,
        concurrency: options.concurrency?.[queueName] ?? QUEUE_CONCURRENCY[queueName],
      },
    );
    worker.on('error', (err) => options.logger.warn({ err, queue: queueName }, 'worker error'));
    worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        options.logger.error({ err, job: job.name, jobId: job.id }, 'job failed after all attempts');
      }
    });
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
