import type { Redis } from 'ioredis';
import { assertRedisReady } from '../infra/redis.js';

/** WeCom retries for up to a few minutes; three days leaves room for manual redelivery. */
const REMEMBER_SECONDS = 3 * 24 * 3600;

/** Remembers which callback contents were already taken in, keyed by a hash of the plaintext. */
export class CallbackDedupe {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(hash: string) {
    return `${this.prefix}:callback-seen:${hash}`;
  }

  async seen(hash: string): Promise<boolean> {
    assertRedisReady(this.redis);
    return (await this.redis.exists(this.#key(hash))) === 1;
  }

  async remember(hash: string): Promise<void> {
    await this.redis.set(this.#key(hash), '1', 'EX', REMEMBER_SECONDS);
  }
}
