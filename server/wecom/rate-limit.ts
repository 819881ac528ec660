import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { WeComRateLimitError } from './errors.js';

/**
 * Our own ceilings, kept below WeCom's documented limits (per corp per API 10,000/min and
 * 150,000/h; per IP 20,000/min and 600,000/h; app messages to one staff member 30/min, more are
 * dropped; a group robot 20/min).
 */
export interface WeComRateLimits {
  perApiPerMinute: number;
  perApiPerHour: number;
  /** all APIs together, standing in for WeCom's per-IP limits */
  allApisPerMinute: number;
  allApisPerHour: number;
  appMessagesPerRecipientPerMinute: number;
  robotPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: WeComRateLimits = {
  perApiPerMinute: 8_000,
  perApiPerHour: 140_000,
  allApisPerMinute: 16_000,
  allApisPerHour: 500_000,
  appMessagesPerRecipientPerMinute: 25,
  robotPerMinute: 18,
};

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** One counter: at most `limit` acquisitions in any `windowMs` (sliding-window estimate). */
export interface RateRule {
  /** a readable bucket name (an API path, `to:<userid>`); never a credential */
  bucket: string;
  limit: number;
  windowMs: number;
}

export const rateRules = {
  /** every outbound call to `api` */
  api(api: string, limits: WeComRateLimits = DEFAULT_RATE_LIMITS): RateRule[] {
    return [
      { bucket: `api:${api}`, limit: limits.perApiPerMinute, windowMs: MINUTE },
      { bucket: `api:${api}`, limit: limits.perApiPerHour, windowMs: HOUR },
      { bucket: 'all', limit: limits.allApisPerMinute, windowMs: MINUTE },
      { bucket: 'all', limit: limits.allApisPerHour, windowMs: HOUR },
    ];
  },
  /** `message/send`: WeCom drops app messages beyond 30/min to one staff member */
  appMessageRecipients(
    userids: readonly string[],
    limits: WeComRateLimits = DEFAULT_RATE_LIMITS,
  ): RateRule[] {
    return [...new Set(userids)].map((userid) => ({
      bucket: `to:${userid}`,
      limit: limits.appMessagesPerRecipientPerMinute,
      windowMs: MINUTE,
    }));
  },
  /** a group robot, named by a digest of its key */
  robot(keyDigest: string, limits: WeComRateLimits = DEFAULT_RATE_LIMITS): RateRule[] {
    return [{ bucket: `robot:${keyDigest}`, limit: limits.robotPerMinute, windowMs: MINUTE }];
  },
};

export interface RateLimiterOptions {
  redis: Redis;
  /** keys live under `<keyPrefix>:wecom:rl:<scope>:` */
  keyPrefix: string;
  /** separates corps sharing one Redis, e.g. the corp id */
  scope: string;
  /** epoch ms; Date.now by default (rate limits are about real time, not a test's fixed clock) */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * longest a caller waits for a slot before WeComRateLimitError (ms). The default covers the
   * worst case of a per-minute rule (a full burst at a window's start frees up 1.5–2 windows
   * later); per-hour rules past their limit fail fast instead and the job retries later.
   */
  maxWaitMs?: number;
  random?: () => number;
}

/**
 * Takes ARGV[1] slots in every rule if all have room for them, atomically.
 * Per rule: KEYS = current window, previous window; ARGV = limit, weight of the previous window,
 * ttl ms. Answers {0} on success, else {rule index (1-based), current count, previous count}.
 */
const ACQUIRE = `
local count = tonumber(ARGV[1])
local n = (#ARGV - 1) / 3
for i = 1, n do
  local cur = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local limit = tonumber(ARGV[3 * i - 1])
  local weight = tonumber(ARGV[3 * i])
  if prev * weight + cur + count > limit then return {i, cur, prev} end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[2 * i - 1], count)
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[3 * i + 1])
end
return {0}`;
const ACQUIRE_SHA = createHash('sha1').update(ACQUIRE).digest('hex');

/**
 * Leases: under load, one Redis call takes a block of slots that this process then hands out
 * locally, instead of one call per WeCom request. Only rule sets whose every limit is large are
 * leased — a block is at most 1/200 of the smallest limit and 64 slots — and a lease lives
 * LEASE_MS: slots it did not hand out by then stay counted (the limiter errs on the safe side).
 * The block size follows demand: it doubles when a lease ran out before expiring and shrinks to
 * what was used when one expired, so a quiet process takes one slot at a time as before.
 */
const LEASE_MS = 1_000;
const LEASE_MAX = 64;
const LEASE_SHARE_OF_LIMIT = 200;

function leaseCeiling(rules: readonly RateRule[]): number {
  const smallest = Math.min(...rules.map((r) => r.limit));
  return Math.min(LEASE_MAX, Math.floor(smallest / LEASE_SHARE_OF_LIMIT));
}

interface Lease {
  left: number;
  granted: number;
  /** epoch ms after which `left` is void */
  until: number;
  size: number;
  renewing?: Promise<void> | undefined;
}

const MAX_ROUNDS = 50;

/**
 * A sliding-window counter in Redis shared by every process: the estimate for the last window is
 * `previous × (1 − elapsed fraction) + current`, which avoids the double burst a fixed window allows
 * at its boundary. Over the limit, the caller sleeps until a slot frees up (bounded by maxWaitMs).
 */
export class RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxWaitMs: number;
  readonly #random: () => number;
  readonly #leases = new Map<string, Lease>();

  constructor(options: RateLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = `${options.keyPrefix}:wecom:rl:${options.scope}`;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#maxWaitMs = options.maxWaitMs ?? 125_000;
    this.#random = options.random ?? Math.random;
  }

  /** Takes one slot in every rule, waiting as needed; resolves with the milliseconds waited. */
  async acquire(rules: readonly RateRule[]): Promise<number> {
    if (rules.length === 0) return 0;
    const ceiling = leaseCeiling(rules);
    if (ceiling > 1 && (await this.#fromLease(rules, ceiling))) return 0;
    return this.#acquireOne(rules);
  }

  /**
   * A slot from this process' lease on `rules`, renewed with one Redis call when spent; false when
   * the limits leave no room for a block (the caller then takes a single slot, waiting if need be).
   */
  async #fromLease(rules: readonly RateRule[], ceiling: number): Promise<boolean> {
    const key = rules.map((r) => `${r.bucket}/${r.windowMs}/${r.limit}`).join(' ');
    let lease = this.#leases.get(key);
    if (!lease) {
      lease = { left: 0, granted: 0, until: 0, size: 1 };
      this.#leases.set(key, lease);
    }
    for (;;) {
      if (lease.left > 0 && this.#now() < lease.until) {
        lease.left--;
        return true;
      }
      if (!lease.renewing) break;
      await lease.renewing;
    }
    const now = this.#now();
    const used = lease.granted - lease.left;
    const ranOutEarly = lease.granted > 0 && lease.left === 0 && now < lease.until;
    lease.size = Math.max(1, Math.min(ceiling, ranOutEarly ? lease.size * 2 : used));
    const current = lease;
    let taken = false;
    current.renewing = (async () => {
      const granted = (await this.#take(rules, current.size, now)).ok ? current.size : 0;
      current.granted = granted;
      current.left = Math.max(0, granted - 1);
      current.until = this.#now() + LEASE_MS;
      taken = granted > 0;
      if (!taken) current.size = 1;
    })();
    try {
      await current.renewing;
    } finally {
      current.renewing = undefined;
    }
    return taken;
  }

  /** One slot, waiting for the windows to slide as needed (bounded by maxWaitMs). */
  async #acquireOne(rules: readonly RateRule[]): Promise<number> {
    const started = this.#now();
    let waited = 0;
    for (let round = 0; ; round++) {
      const now = this.#now();
      const answer = await this.#take(rules, 1, now);
      if (answer.ok) return waited;

      const rule = rules[answer.rule]!;
      const wait = waitForSlot(rule, now, answer.current, answer.previous);
      const jitter = Math.floor(this.#random() * Math.min(250, rule.windowMs * 0.05));
      const delay = Math.max(1, Math.ceil(wait) + jitter);
      const spent = this.#now() - started;
      if (round >= MAX_ROUNDS || spent + delay > this.#maxWaitMs) {
        throw new WeComRateLimitError(rule.bucket, spent);
      }
      await this.#sleep(delay);
      waited += delay;
    }
  }

  /** `count` slots in every rule at `now`, or the first rule without room and its counts. */
  async #take(
    rules: readonly RateRule[],
    count: number,
    now: number,
  ): Promise<{ ok: true } | { ok: false; rule: number; current: number; previous: number }> {
    const keys: string[] = [];
    const args: (string | number)[] = [count];
    for (const rule of rules) {
      const window = Math.floor(now / rule.windowMs);
      const base = `${this.#prefix}:${rule.bucket}:${rule.windowMs}`;
      keys.push(`${base}:${window}`, `${base}:${window - 1}`);
      const elapsed = (now - window * rule.windowMs) / rule.windowMs;
      args.push(rule.limit, (1 - elapsed).toFixed(6), rule.windowMs * 2);
    }
    const answer = (await this.#evalAcquire(keys, args)) as number[];
    const index = Number(answer[0] ?? 0);
    if (index === 0) return { ok: true };
    return { ok: false, rule: index - 1, current: Number(answer[1] ?? 0), previous: Number(answer[2] ?? 0) };
  }

  /** EVALSHA saves sending the script on every call; EVAL loads it when Redis doesn't know it yet. */
  async #evalAcquire(keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.#redis.evalsha(ACQUIRE_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.#redis.eval(ACQUIRE, keys.length, ...keys, ...args);
    }
  }
}

/** Milliseconds until `previous × (1 − f) + current + 1 ≤ limit` holds for the rule. */
export function waitForSlot(rule: RateRule, now: number, current: number, previous: number): number {
  const { limit, windowMs } = rule;
  const elapsedMs = now % windowMs;
  if (current + 1 > limit) {
    // only the next window can help, and then this window's count becomes the previous one
    const fraction = current > 0 ? Math.max(0, 1 - (limit - 1) / current) : 0;
    return windowMs - elapsedMs + fraction * windowMs;
  }
  if (previous <= 0) return 0;
  const needed = 1 - (limit - current - 1) / previous;
  return Math.max(0, needed * windowMs - elapsedMs);
}
