import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { WeComApiError, WeComTransportError } from './errors.js';

/** A credential WeCom hands out with a lifetime: the access token, the jsapi and agent tickets. */
export interface FetchedCredential {
  value: string;
  /** seconds, as WeCom answers (`expires_in`) */
  expiresIn: number;
}

export interface TokenCacheOptions {
  redis: Redis;
  /** e.g. `scrm`; keys live under `<keyPrefix>:wecom:cred:` */
  keyPrefix: string;
  /** how long the fetching process may hold the refresh lock (ms) */
  lockTtlMs?: number;
  /** how often the others look for the fresh value while the lock is held (ms) */
  pollMs?: number;
  /** how long a permanent failure (40001 bad secret…) is remembered, so nobody retries it (ms) */
  failureTtlMs?: number;
  /** seconds kept in hand before WeCom's expiry */
  safetyMarginS?: number;
}

/** Lua: delete KEYS[1] only while it still holds ARGV[1]. */
const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Short stable digest, so keys name a secret without containing it. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** Seconds to keep a credential WeCom said lives `expiresIn` seconds. */
export function cacheTtlSeconds(expiresIn: number, marginS = 300): number {
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) return 60;
  if (expiresIn > marginS * 2) return Math.floor(expiresIn - marginS);
  return Math.max(1, Math.floor(expiresIn / 2));
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface InFlight {
  generation: number;
  promise: Promise<string>;
}

/**
 * Credentials cached in Redis and shared by every process. When one is missing exactly one caller
 * (across processes: a `SET NX PX` lock) fetches it; the others poll briefly and reuse it.
 * `invalidate(slot, stale)` deletes only while the cache still holds that stale value, so fifty
 * callers that all saw 42001 with the same token cause one refresh, not fifty.
 */
/**
 * How long a process trusts its memo of a credential. Another process that sees WeCom reject the
 * token deletes it in Redis; this one then hits the same rejection at most once and refreshes.
 */
const MEMO_MS = 30_000;

export class TokenCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lockTtlMs: number;
  readonly #pollMs: number;
  readonly #failureTtlMs: number;
  readonly #marginS: number;
  readonly #inFlight = new Map<string, InFlight>();
  /** A short in-process memo of Redis' value: saves a round trip on every WeCom call. */
  readonly #memo = new Map<string, { value: string; until: number }>();
  /** bumped when this process deletes a value, so nobody joins a lookup that may have read it */
  readonly #generation = new Map<string, number>();

  constructor(options: TokenCacheOptions) {
    this.#redis = options.redis;
    this.#prefix = `${options.keyPrefix}:wecom:cred`;
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 25;
    this.#failureTtlMs = options.failureTtlMs ?? 60_000;
    this.#marginS = options.safetyMarginS ?? 300;
  }

  /** The Redis key holding a slot's value (for tests and operations; never log the value). */
  key(slot: string): string {
    return `${this.#prefix}:${slot}`;
  }

  async peek(slot: string): Promise<string | null> {
    return this.#redis.get(this.key(slot));
  }

  /** The cached value, or one fetched by exactly one caller when it is missing. */
  get(slot: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    const memo = this.#memo.get(slot);
    if (memo && memo.until > Date.now()) return Promise.resolve(memo.value);
    const generation = this.#generation.get(slot) ?? 0;
    const running = this.#inFlight.get(slot);
    if (running && running.generation === generation) return running.promise;
    const promise = this.#lookup(slot, fetch)
      .then((value) => {
        if ((this.#generation.get(slot) ?? 0) === generation) {
          this.#memo.set(slot, { value, until: Date.now() + MEMO_MS });
        }
        return value;
      })
      .finally(() => {
        if (this.#inFlight.get(slot)?.promise === promise) this.#inFlight.delete(slot);
      });
    this.#inFlight.set(slot, { generation, promise });
    return promise;
  }

  /** Forgets `stale` if it is still the cached value; true when this call deleted it. */
  async invalidate(slot: string, stale: string): Promise<boolean> {
    if (this.#memo.get(slot)?.value === stale) this.#memo.delete(slot);
    const deleted = Number(await this.#redis.eval(COMPARE_AND_DELETE, 1, this.key(slot), stale)) === 1;
    if (deleted) this.#generation.set(slot, (this.#generation.get(slot) ?? 0) + 1);
    return deleted;
  }

  /** Drops a slot unconditionally (rotation, tests). */
  async clear(slot: string): Promise<void> {
    this.#memo.delete(slot);
    await this.#redis.del(this.key(slot), `${this.key(slot)}:failed`);
    this.#generation.set(slot, (this.#generation.get(slot) ?? 0) + 1);
  }

  async #lookup(slot: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    const key = this.key(slot);
    const lockKey = `${key}:lock`;
    const failedKey = `${key}:failed`;
    const deadline = Date.now() + this.#lockTtlMs + 2_000;
    for (;;) {
      const [cached, failed] = await this.#redis.mget(key, failedKey);
      if (cached) return cached;
      if (failed) throw rememberedFailure(failed);

      const lockId = randomUUID();
      const locked = await this.#redis.set(lockKey, lockId, 'PX', this.#lockTtlMs, 'NX');
      if (locked === 'OK') {
        try {
          // someone may have stored it between our read and our lock
          const again = await this.#redis.get(key);
          if (again) return again;
          let fetched: FetchedCredential;
          try {
            fetched = await fetch();
          } catch (err) {
            if (err instanceof WeComApiError && err.permanent) {
              await this.#redis.set(failedKey, JSON.stringify(err.toJSON()), 'PX', this.#failureTtlMs);
            }
            throw err;
          }
          await this.#redis.set(key, fetched.value, 'EX', cacheTtlSeconds(fetched.expiresIn, this.#marginS));
          return fetched.value;
        } finally {
          await this.#redis.eval(COMPARE_AND_DELETE, 1, lockKey, lockId).catch(() => undefined);
        }
      }

      if (Date.now() > deadline) {
        throw new WeComTransportError(
          slot.split(':')[0] ?? slot,
          'timed out waiting for a credential refresh',
        );
      }
      // the real clock on purpose: an injected test sleep must not turn this into a busy loop
      await realSleep(this.#pollMs);
    }
  }
}

function rememberedFailure(serialized: string): WeComApiError {
  try {
    const parsed = JSON.parse(serialized) as { api?: string; errcode?: number; errmsg?: string };
    return new WeComApiError({
      api: parsed.api ?? 'gettoken',
      errcode: parsed.errcode ?? -1,
      errmsg: parsed.errmsg ?? 'failed recently',
      permanent: true,
    });
  } catch {
    return new WeComApiError({ api: 'gettoken', errcode: -1, errmsg: 'failed recently', permanent: true });
  }
}
