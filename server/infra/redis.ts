import { Redis } from 'ioredis';
import { unavailable } from '../errors.js';

export type { Redis };

/** Connection settings both ioredis and BullMQ accept. */
export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

export function redisOptionsFromUrl(url: string): RedisEndpoint {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A client for request paths: commands fail at once while Redis is unreachable (no offline
 * queue), so HTTP answers 503 instead of hanging. It keeps reconnecting in the background.
 */
export function createFailFastRedis(url: string): Redis {
  return new Redis({
    ...redisOptionsFromUrl(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
  });
}

/** Connects (or fails with a readable message) before the app starts serving. */
export async function connectRedis(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return;
  await Promise.race([
    client.status === 'wait' ? client.connect() : new Promise((resolve) => client.once('ready', resolve)),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('Redis did not answer in time')), timeoutMs),
    ),
  ]);
}

export function assertRedisReady(client: Redis): void {
  if (client.status !== 'ready') throw unavailable('Redis is unavailable; try again shortly');
}

export async function pingRedis(client: Redis, timeoutMs = 1000): Promise<boolean> {
  if (client.status !== 'ready') return false;
  try {
    const answer = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  }
}
