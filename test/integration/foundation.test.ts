import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../server/db/database.js';
import { migrations } from '../../server/db/migrations/index.js';
import { startLocalRedis } from '../../server/infra/local-redis.js';
import { createLogger } from '../../server/infra/logger.js';
import { redisOptionsFromUrl } from '../../server/infra/redis.js';
import { jobCatalogue } from '../../server/jobs/catalogue.js';
import { assertCompleteRegistry } from '../../server/queue/workers.js';
import type { ApiError } from '../../shared/api.js';
import { freshPostgresDatabase, startTestApp, type TestApp, tempDir } from '../support/test-app.js';

const logger = createLogger({ level: 'silent' });

async function eventually<T>(
  fn: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (accept(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('migrations', () => {
  it('bring a fresh database to the full domain schema, and a second run applies nothing', async () => {
    const tmp = tempDir();
    const pgdb = await freshPostgresDatabase();
    const handle = await openDatabase({ databaseUrl: pgdb?.url, dataDir: tmp.dir });
    try {
      expect(await migrateToLatest(handle.db)).toEqual(Object.keys(migrations).sort());
      expect(await migrateToLatest(handle.db)).toEqual([]);
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(
        handle.db,
      );
      const tables = rows.map((r) => r.table_name);
      for (const t of [
        'staff',
        'customers',
        'follow_relations',
        'tag_groups',
        'tags',
        'customer_tags',
        'group_chats',
        'group_members',
        'orders',
        'order_items',
        'coupons',
        'behavior_events',
        'timeline',
        'sop_rules',
        'sop_tasks',
      ]) {
        expect(tables).toContain(t);
      }
      // money is exact: a fen amount beyond float32 precision round-trips unchanged
      await handle.db.insertInto('customers').values({ external_userid: 'wm1' }).execute();
      await handle.db
        .insertInto('orders')
        .values({
          order_id: 'o1',
          external_userid: 'wm1',
          amount_fen: 123456789,
          status: 'paid',
          paid_at: new Date(),
        })
        .execute();
      const order = await handle.db.selectFrom('orders').select('amount_fen').executeTakeFirstOrThrow();
      expect(order.amount_fen).toBe(123456789);
      // the timeline's dedupe key refuses a second copy of an entry
      const entry = {
        external_userid: 'wm1',
        kind: 'note',
        actor: 'system',
        occurred_at: new Date(),
        data: {},
        dedupe_key: 'k1',
      };
      await handle.db.insertInto('timeline').values(entry).execute();
      await expect(handle.db.insertInto('timeline').values(entry).execute()).rejects.toThrow(/duplicate key/);
    } finally {
      await handle.close();
      await pgdb?.drop();
      tmp.remove();
    }
  });
});

describe('the running app', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', postgres: true, redis: true });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toContain('http_request_duration_seconds');
  });

  it('gives every answer a request id and unknown routes the JSON error shape', async () => {
    const res = await fetch(`${app.url}/api/nothing-here`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiError).error.code).toBe('not_found');
  });

  it('refuses malformed and oversize JSON bodies with 400 and 413', async () => {
    const bad = await fetch(`${app.url}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiError).error.code).toBe('bad_request');
    const big = await fetch(`${app.url}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'a'.repeat(2_000_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ApiError).error.code).toBe('payload_too_large');
  });

  it('sends security headers', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('runs a job enqueued through the registry on a real worker', async () => {
    const { jobs } = app.runtime.ctx;
    const nonce = randomUUID();
    const events = new QueueEvents('default', {
      connection: redisOptionsFromUrl(app.config.redisUrl!),
      prefix: jobs.prefix,
    });
    await events.waitUntilReady();
    const id = await jobs.enqueue('system.ping', { nonce });
    const job = await jobs.queue('default').getJob(id);
    expect(await job!.waitUntilFinished(events, 10_000)).toEqual({ pong: nonce });
    await events.close();
  });

  it('rejects job data that does not match the catalogue', async () => {
    await expect(
      // @ts-expect-error the nonce must be a string
      app.runtime.ctx.jobs.enqueue('system.ping', { nonce: 42 }),
    ).rejects.toThrow();
  });
});

describe('the job registry', () => {
  it('refuses to boot when a job has no handler or a handler names no job', () => {
    expect(() => assertCompleteRegistry({})).toThrow(/job handlers missing for: .*system\.ping/);
    const complete = Object.fromEntries(Object.keys(jobCatalogue).map((name) => [name, async () => 1]));
    expect(() => assertCompleteRegistry(complete)).not.toThrow();
    const { 'system.ping': _dropped, ...missingOne } = complete;
    expect(() => assertCompleteRegistry(missingOne)).toThrow(/job handlers missing for: system\.ping$/);
    expect(() => assertCompleteRegistry({ ...complete, 'no.such': async () => 1 })).toThrow(
      /unknown jobs: no\.such/,
    );
  });
});

describe('Redis going away', () => {
  it('turns /readyz to 503 without hanging, and back to 200 when Redis returns', async () => {
    const tmp = tempDir();
    const redis = await startLocalRedis({ logger });
    const port = Number(new URL(redis.url).port);
    const app = await startTestApp({ config: { redisUrl: redis.url, roles: new Set(['api']) } });
    try {
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const down = await eventually(
        () => fetch(`${app.url}/readyz`).then((r) => r.status),
        (s) => s === 503,
      );
      expect(down).toBe(503);
      // producers fail fast instead of waiting for Redis
      const started = Date.now();
      await expect(app.runtime.ctx.jobs.enqueue('system.ping', { nonce: 'x' })).rejects.toThrow(
        /unavailable/,
      );
      expect(Date.now() - started).toBeLessThan(5000);

      const back = await startLocalRedis({ logger, port });
      try {
        const up = await eventually(
          () => fetch(`${app.url}/readyz`).then((r) => r.status),
          (s) => s === 200,
          15_000,
        );
        expect(up).toBe(200);
      } finally {
        await app.stop();
        await back.stop();
      }
    } finally {
      tmp.remove();
    }
  });
});

describe('embedded PGlite', () => {
  it.skipIf(process.env.TEST_DATABASE_URL)('keeps its data across a restart of the app', async () => {
    const tmp = tempDir();
    try {
      const first = await startTestApp({ dataDir: tmp.dir });
      await first.runtime.ctx.db.insertInto('staff').values({ userid: 'zhangsan', name: '张三' }).execute();
      await first.stop();
      const second = await startTestApp({ dataDir: tmp.dir });
      const staff = await second.runtime.ctx.db.selectFrom('staff').select(['userid', 'name']).execute();
      await second.stop();
      expect(staff).toEqual([{ userid: 'zhangsan', name: '张三' }]);
    } finally {
      tmp.remove();
    }
  });
});
