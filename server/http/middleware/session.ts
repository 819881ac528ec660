import { RedisStore } from 'connect-redis';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { AppContext } from '../../context.js';
import { unavailable } from '../../errors.js';
import type { Redis } from '../../infra/redis.js';

export const SESSION_COOKIE = 'scrm.sid';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

/** Where sessions live in Redis: under the deployment's key prefix, next to its queues. */
export const sessionKeyPrefix = (prefix: string) => `${prefix}:sess:`;

/**
 * connect-redis 9 speaks node-redis's API; this adapts the app's fail-fast ioredis client to the
 * calls it makes, and turns a Redis outage into `unavailable` (503) instead of a generic 500.
 */
function nodeRedisFacade(redis: Redis) {
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    if (redis.status !== 'ready') throw unavailable('session store unavailable; try again shortly');
    try {
      return await op();
    } catch (err) {
      if (redis.status !== 'ready') throw unavailable('session store unavailable; try again shortly');
      throw err;
    }
  };
  return {
    get: (key: string) => guard(() => redis.get(key)),
    set: (key: string, value: string, options?: { expiration?: { type: 'EX'; value: number } }) =>
      guard(() =>
        options?.expiration ? redis.set(key, value, 'EX', options.expiration.value) : redis.set(key, value),
      ),
    expire: (key: string, seconds: number) => guard(() => redis.expire(key, seconds)),
    del: (keys: string[]) => guard(() => redis.del(...keys)),
    mGet: (keys: string[]) => guard(() => redis.mget(keys)),
    async *scanIterator(options: { MATCH: string; COUNT: number }) {
      let cursor = '0';
      do {
        const [next, keys] = await guard(() =>
          redis.scan(cursor, 'MATCH', options.MATCH, 'COUNT', options.COUNT),
        );
        cursor = next;
        yield keys;
      } while (cursor !== '0');
    },
  };
}

export function createSessionStore(redis: Redis, keyPrefix: string): RedisStore {
  return new RedisStore({
    client: nodeRedisFacade(redis),
    prefix: sessionKeyPrefix(keyPrefix),
    ttl: SESSION_TTL_SECONDS,
    // a session lasts SESSION_TTL_SECONDS from login; no EXPIRE round trip on every request
    disableTouch: true,
  });
}

/**
 * Signed session cookie backed by Redis: HttpOnly, SameSite=Lax, Secure when PUBLIC_URL is https
 * (behind a TLS proxy Express learns the scheme from X-Forwarded-Proto, see `trust proxy`).
 */
export function sessions(
  ctx: AppContext,
  store = createSessionStore(ctx.redis, ctx.jobs.prefix),
): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: ctx.config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.config.publicUrl.startsWith('https:'),
      maxAge: SESSION_TTL_SECONDS * 1000,
      path: '/',
    },
  });
}
