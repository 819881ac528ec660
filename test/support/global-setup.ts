import type { TestProject } from 'vitest/node';
import { startLocalRedis } from '../../server/infra/local-redis.js';
import { createLogger } from '../../server/infra/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One redis-server for the whole run (no persistence); each test isolates itself by key prefix. */
export default async function setup(project: TestProject) {
  const redis = await startLocalRedis({ logger: createLogger({ level: 'silent' }) });
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
  };
}
