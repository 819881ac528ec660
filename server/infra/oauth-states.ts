import type { Redis } from 'ioredis';
import { assertRedisReady } from './redis.js';

/** Ten minutes to pick a member on WeCom's authorize page and come back. */
const STATE_TTL_SECONDS = 600;

/** OAuth `state` values awaiting their callback, each with the path to return to; single use. */
export class OAuthStates {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(state: string) {
    return `${this.prefix}:oauth-state:${state}`;
  }

  async put(state: string, redirect: string): Promise<void> {
    assertRedisReady(this.redis);
    await this.redis.set(this.#key(state), redirect, 'EX', STATE_TTL_SECONDS);
  }

  /** The stored redirect, removed in the same step so a replayed callback finds nothing. */
  async take(state: string): Promise<string | undefined> {
    assertRedisReady(this.redis);
    return (await this.redis.getdel(this.#key(state))) ?? undefined;
  }
}
