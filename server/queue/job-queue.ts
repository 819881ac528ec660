import { randomUUID } from 'node:crypto';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { unavailable } from '../errors.js';
import { assertRedisReady } from '../infra/redis.js';
import { type JobData, type JobName, jobCatalogue, QUEUE_NAMES, type QueueName } from '../jobs/catalogue.js';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 2000, age: 24 * 3600 },
  removeOnFail: { count: 10_000, age: 7 * 24 * 3600 },
};

/**
 * The producer side of every queue. It shares one fail-fast Redis connection, so an enqueue
 * while Redis is down throws `unavailable` at once (HTTP 503) instead of waiting.
 */
export class JobQueue {
  readonly #queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {
    for (const name of QUEUE_NAMES) {
      this.#queues.set(name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }));
    }
  }

  queue(name: QueueName): Queue {
    return this.#queues.get(name)!;
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, options: JobsOptions = {}): Promise<string> {
    const definition = jobCatalogue[name];
    const payload = definition.schema.parse(data);
    assertRedisReady(this.connection);
    try {
      const job = await this.queue(definition.queue).add(name, payload, options);
      return job.id!;
    } catch (err) {
      if (this.connection.status !== 'ready') throw unavailable('Redis is unavailable; try again shortly');
      throw err;
    }
  }

  /**
   * Enqueues unless a job with the same deduplication id was enqueued in the last `ttlMs` — even
   * if that job has since completed and been removed. The check and the add are one atomic Redis
   * script (BullMQ's deduplication in throttle mode), so concurrent deliveries keep exactly one.
   * Answers whether this call enqueued.
   */
  async enqueueOnce<N extends JobName>(
    name: N,
    data: JobData<N>,
    dedupe: { id: string; ttlMs: number },
    options: JobsOptions = {},
  ): Promise<boolean> {
    const jobId = `${dedupe.id}-${randomUUID()}`;
    const id = await this.enqueue(name, data, {
      ...options,
      jobId,
      deduplication: { id: dedupe.id, ttl: dedupe.ttlMs },
    });
    return id === jobId;
  }

  async enqueueMany<N extends JobName>(
    name: N,
    jobs: ReadonlyArray<{ data: JobData<N>; options?: JobsOptions }>,
  ): Promise<void> {
    const definition = jobCatalogue[name];
    assertRedisReady(this.connection);
    await this.queue(definition.queue).addBulk(
      jobs.map((j) => ({ name, data: definition.schema.parse(j.data), opts: j.options ?? {} })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
