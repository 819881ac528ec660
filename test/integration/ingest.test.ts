import { QueueEvents } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIngestBody } from '../../server/http/middleware/ingest-signature.js';
import { fixedClock } from '../../server/infra/clock.js';
import { redisOptionsFromUrl } from '../../server/infra/redis.js';
import { refreshActivity } from '../../server/repositories/customer-activity.js';
import {
  DAY_MS,
  DEFAULT_CUSTOMER_THRESHOLDS,
  intentScore,
  lifecycleStage,
  orderStats,
  rfmSegment,
} from '../../server/services/customers/definitions.js';
import { shanghaiDay } from '../../server/services/sop/time.js';
import type { ApiError } from '../../shared/api.js';
import type { IngestResult } from '../../shared/ingest.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MIN = 60_000;
// whole seconds, so signatures made from it match the server's view of the same instant
const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
const ago = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(async () => {
  await app?.stop();
});

const db = () => app.runtime.ctx.db;

async function send(
  kind: string,
  body: unknown,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(clock.now().getTime() / 1000);
  const headers: Record<string, string> = options.headers ?? {
    'x-timestamp': String(timestamp),
    'x-signature': signIngestBody(options.secret ?? app.config.ingestSecret, timestamp, raw),
  };
  return fetch(`${app.url}/api/ingest/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
}

async function ingest(kind: string, items: unknown[]): Promise<IngestResult> {
  const res = await send(kind, { items });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as IngestResult;
}

/** Rows whose id (or, for customers and timeline, external userid) starts with `prefix`. */
async function counts(prefix: string) {
  const count = async (
    table: 'orders' | 'coupons' | 'behavior_events' | 'customers' | 'timeline',
    column: 'order_id' | 'coupon_id' | 'event_id' | 'external_userid',
  ) => {
    const row = await db()
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, 'like', `${prefix}%`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    orders: await count('orders', 'order_id'),
    coupons: await count('coupons', 'coupon_id'),
    events: await count('behavior_events', 'event_id'),
    customers: await count('customers', 'external_userid'),
    timeline: await count('timeline', 'external_userid'),
  };
}

const customer = (id: string) =>
  db().selectFrom('customers').selectAll().where('external_userid', '=', id).executeTakeFirstOrThrow();

const timelineOf = (id: string) =>
  db()
    .selectFrom('timeline')
    .select(['kind', 'actor', 'data', 'occurred_at'])
    .where('external_userid', '=', id)
    .orderBy('occurred_at')
    .orderBy('kind')
    .execute();

const order = (id: string, externalUserId: string, amount: number | string, extra: object = {}) => ({
  orderId: id,
  externalUserId,
  amount,
  status: 'paid',
  paidAt: ago(60 * MIN),
  ...extra,
});

describe('signed ingest of orders, events and coupons', () => {
  it('stores each kind with its timeline entries and keeps the customer stats', async () => {
    const orders = await ingest('orders', [
      order('a1-o1', 'a1-wm1', '199.90', {
        paidAt: ago(2 * DAY_MS),
        items: [
          { sku: 'SKU1', name: '面霜', qty: 1, price: 150 },
          { sku: 'SKU2', name: '小样', qty: 2, price: '24.95' },
        ],
      }),
      order('a1-o2', 'a1-wm1', 100, { paidAt: ago(DAY_MS) }),
      order('a1-o3', 'a1-wm1', 50, { status: 'cancelled' }),
    ]);
    expect(orders).toEqual({ received: 3, inserted: 3, updated: 0, unchanged: 0 });
    const events = await ingest('events', [
      {
        eventId: 'a1-e1',
        externalUserId: 'a1-wm1',
        kind: 'product_view',
        occurredAt: ago(30 * MIN),
        data: { sku: 'SKU1' },
      },
      { eventId: 'a1-e2', externalUserId: 'a1-wm1', kind: 'cart_add', occurredAt: ago(20 * MIN) },
    ]);
    expect(events).toEqual({ received: 2, inserted: 2, updated: 0, unchanged: 0 });
    const coupons = await ingest('coupons', [
      {
        couponId: 'a1-c1',
        externalUserId: 'a1-wm1',
        name: '满200减20',
        value: 20,
        issuedAt: ago(DAY_MS),
        expiresAt: ago(-6 * DAY_MS),
      },
      {
        couponId: 'a1-c2',
        externalUserId: 'a1-wm1',
        name: '新客券',
        value: '5.5',
        issuedAt: ago(DAY_MS),
        expiresAt: ago(-DAY_MS),
        usedAt: ago(10 * MIN),
      },
    ]);
    expect(coupons).toEqual({ received: 2, inserted: 2, updated: 0, unchanged: 0 });

    const c = await customer('a1-wm1');
    expect(c).toMatchObject({
      total_spent_fen: 29_990,
      order_count: 2,
      refund_count: 0,
      refunded_fen: 0,
      first_order_at: new Date(ago(2 * DAY_MS)),
      last_order_at: new Date(ago(DAY_MS)),
      last_interaction_at: new Date(ago(10 * MIN)),
      lifecycle_stage: 'active',
      rfm_segment: 'general_develop',
    });
    expect(c.intent_score).toBeCloseTo(4, 1);
    const lines = await db()
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', '=', 'a1-o1')
      .orderBy('line_no')
      .execute();
    expect(lines.map((l) => [l.sku, l.qty, l.price_fen])).toEqual([
      ['SKU1', 1, 15_000],
      ['SKU2', 2, 2_495],
    ]);

    const timeline = await timelineOf('a1-wm1');
    expect(timeline.map((t) => [t.kind, t.actor])).toEqual([
      ['order_paid', 'customer'],
      ['coupon_issued', 'system'],
      ['coupon_issued', 'system'],
      ['order_paid', 'customer'],
      ['behavior', 'customer'],
      ['behavior', 'customer'],
      ['coupon_used', 'customer'],
    ]);
    expect(timeline[0]!.data).toEqual({ orderId: 'a1-o1', amountFen: 19_990, itemCount: 2 });
    expect(timeline.find((t) => t.kind === 'behavior')!.data).toEqual({
      eventId: 'a1-e1',
      eventKind: 'product_view',
      data: { sku: 'SKU1' },
    });
    expect(timeline.filter((t) => t.kind === 'coupon_issued').map((t) => t.data)).toContainEqual({
      couponId: 'a1-c1',
      name: '满200减20',
      valueFen: 2_000,
      expiresAt: ago(-6 * DAY_MS),
    });
  });

  it('treats a re-sent request as the same records: no new rows, no new timeline entries', async () => {
    const orders = [order('a2-o1', 'a2-wm1', 10, { items: [{ sku: 'S', name: 'n', qty: 1, price: 10 }] })];
    const events = [
      { eventId: 'a2-e1', externalUserId: 'a2-wm1', kind: 'member_center_visit', occurredAt: ago(MIN) },
    ];
    const coupons = [
      {
        couponId: 'a2-c1',
        externalUserId: 'a2-wm1',
        name: 'x',
        value: 1,
        issuedAt: ago(MIN),
        expiresAt: ago(-DAY_MS),
      },
    ];
    await ingest('orders', orders);
    await ingest('events', events);
    await ingest('coupons', coupons);
    const before = await counts('a2-');
    const stats = await customer('a2-wm1');
    expect(await ingest('orders', orders)).toEqual({ received: 1, inserted: 0, updated: 0, unchanged: 1 });
    expect(await ingest('events', events)).toEqual({ received: 1, inserted: 0, updated: 0, unchanged: 1 });
    expect(await ingest('coupons', coupons)).toEqual({ received: 1, inserted: 0, updated: 0, unchanged: 1 });
    expect(await counts('a2-')).toEqual(before);
    expect(before).toEqual({ orders: 1, coupons: 1, events: 1, customers: 1, timeline: 3 });
    const after = await customer('a2-wm1');
    expect(after.total_spent_fen).toBe(stats.total_spent_fen);
    expect(after.order_count).toBe(1);
    expect(
      await db().selectFrom('order_items').select('line_no').where('order_id', '=', 'a2-o1').execute(),
    ).toHaveLength(1);
  });

  it('updates an order that turns from paid to refunded, with one order_refunded entry', async () => {
    await ingest('orders', [order('a3-o1', 'a3-wm1', 300), order('a3-o2', 'a3-wm1', 200)]);
    expect(await customer('a3-wm1')).toMatchObject({
      total_spent_fen: 50_000,
      order_count: 2,
      refund_count: 0,
    });

    const refundedAt = ago(5 * MIN);
    const refunded = [order('a3-o1', 'a3-wm1', 300, { status: 'refunded', refundedAt })];
    expect(await ingest('orders', refunded)).toEqual({ received: 1, inserted: 0, updated: 1, unchanged: 0 });
    expect(await ingest('orders', refunded)).toEqual({ received: 1, inserted: 0, updated: 0, unchanged: 1 });

    expect(await customer('a3-wm1')).toMatchObject({
      total_spent_fen: 20_000,
      order_count: 1,
      refund_count: 1,
      refunded_fen: 30_000,
    });
    const row = await db()
      .selectFrom('orders')
      .selectAll()
      .where('order_id', '=', 'a3-o1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'refunded', refunded_at: new Date(refundedAt) });
    expect((await counts('a3-')).orders).toBe(2);
    const entries = (await timelineOf('a3-wm1')).filter((t) => t.kind === 'order_refunded');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'system', occurred_at: new Date(refundedAt) });
    expect(entries[0]!.data).toEqual({ orderId: 'a3-o1', amountFen: 30_000 });
  });

  it('stores yuan amounts exactly in fen', async () => {
    await ingest('orders', [
      order('a4-o1', 'a4-wm1', 0.1),
      order('a4-o2', 'a4-wm1', 0.2),
      order('a4-o3', 'a4-wm1', 19.99),
      order('a4-o4', 'a4-wm1', '1234567.89'),
      order('a4-o5', 'a4-wm1', '0.07'),
    ]);
    const amounts = await db()
      .selectFrom('orders')
      .select(['order_id', 'amount_fen'])
      .where('order_id', 'like', 'a4-%')
      .orderBy('order_id')
      .execute();
    expect(amounts.map((a) => a.amount_fen)).toEqual([10, 20, 1_999, 123_456_789, 7]);
    expect((await customer('a4-wm1')).total_spent_fen).toBe(10 + 20 + 1_999 + 123_456_789 + 7);

    const res = await send('orders', { items: [order('a4-o6', 'a4-wm1', 0.1 + 0.2)] });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ApiError).error.issues).toEqual([
      { path: 'items.0.amount', message: expect.stringMatching(/2 decimals/) },
    ]);
  });

  it('takes concurrent requests over the same customers without deadlock or lost updates', async () => {
    // every request touches all 20 customers, in a different order; two requests carry the same orders
    const batch = (r: number) =>
      Array.from({ length: 200 }, (_, i) => order(`a6-o${r % 3}-${i}`, `a6-wm${(i * (r + 1)) % 20}`, '1.01'));
    const results = await Promise.all([0, 1, 2, 3].map((r) => send('orders', { items: batch(r) })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const totals = await db()
      .selectFrom('customers')
      .select((eb) => [
        eb.fn.sum<number>('order_count').as('orders'),
        eb.fn.sum<number>('total_spent_fen').as('fen'),
      ])
      .where('external_userid', 'like', 'a6-%')
      .executeTakeFirstOrThrow();
    expect({ orders: Number(totals.orders), fen: Number(totals.fen) }).toEqual({
      orders: 600,
      fen: 600 * 101,
    });
    expect((await counts('a6-')).timeline).toBe(600);
  });

  it('keeps records for a customer WeCom has not reported yet, on the row the contact later fills', async () => {
    await ingest('orders', [order('a5-o1', 'a5-wm-unknown', 88)]);
    await ingest('events', [
      { eventId: 'a5-e1', externalUserId: 'a5-wm-unknown', kind: 'product_view', occurredAt: ago(MIN) },
    ]);
    const stub = await customer('a5-wm-unknown');
    expect(stub).toMatchObject({ name: '', wecom_synced_at: null, total_spent_fen: 8_800, order_count: 1 });

    // the contact arrives (as contact sync records it): the same row gains its profile and staff
    await db()
      .insertInto('staff')
      .values({ userid: 'a5-staff' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db()
      .updateTable('customers')
      .set({ name: '王小姐', wecom_synced_at: clock.now() })
      .where('external_userid', '=', 'a5-wm-unknown')
      .execute();
    await db()
      .insertInto('follow_relations')
      .values({ external_userid: 'a5-wm-unknown', userid: 'a5-staff' })
      .execute();

    const seen = await db()
      .selectFrom('follow_relations as f')
      .innerJoin('customers as c', 'c.external_userid', 'f.external_userid')
      .innerJoin('orders as o', 'o.external_userid', 'c.external_userid')
      .select(['c.name', 'c.total_spent_fen', 'o.order_id'])
      .where('f.userid', '=', 'a5-staff')
      .execute();
    expect(seen).toEqual([{ name: '王小姐', total_spent_fen: 8_800, order_id: 'a5-o1' }]);
    expect((await timelineOf('a5-wm-unknown')).map((t) => t.kind)).toEqual(['order_paid', 'behavior']);
  });

  it('keeps each customer’s behaviour per Shanghai day for the churn scan, through re-sent and late events', async () => {
    const activity = async (id: string) => {
      const { rows } = await sql<{ days: string[] | null; counts: number[] | null; visits: string[] | null }>`
        SELECT activity_days::text[] AS days, activity_counts AS counts, member_center_days::text[] AS visits
        FROM customers WHERE external_userid = ${id}`.execute(db());
      return rows[0];
    };
    const event = (eventId: string, kind: string, at: string) => ({
      eventId,
      externalUserId: 'a7-wm',
      kind,
      occurredAt: at,
    });
    const day = (at: string) => shanghaiDay(new Date(at));
    const [today, twoDaysAgo, tenDaysAgo, old] = [
      ago(MIN),
      ago(2 * DAY_MS),
      ago(10 * DAY_MS),
      ago(70 * DAY_MS),
    ];
    await ingest('events', [
      event('a7-e1', 'product_view', today),
      event('a7-e2', 'member_center_visit', twoDaysAgo),
      event('a7-e3', 'product_view', twoDaysAgo),
      // older than the 62 days the summary keeps
      event('a7-e4', 'product_view', old),
    ]);
    expect(await activity('a7-wm')).toEqual({
      days: [day(twoDaysAgo), day(today)],
      counts: [2, 3],
      visits: [day(twoDaysAgo)],
    });

    // re-sent: counted once; arriving late: lands on its own day
    await ingest('events', [event('a7-e1', 'product_view', today), event('a7-e5', 'search', tenDaysAgo)]);
    const added = await activity('a7-wm');
    expect(added).toEqual({
      days: [day(tenDaysAgo), day(twoDaysAgo), day(today)],
      counts: [1, 3, 4],
      visits: [day(twoDaysAgo)],
    });
    // what ingest added up equals the summary recomputed from the stored events
    await refreshActivity(db(), { now: clock.now(), externalUserids: ['a7-wm'] });
    expect(await activity('a7-wm')).toEqual(added);

    // 60 days on, the days that left the 62-day horizon go when the next event arrives
    clock.advance(60 * DAY_MS);
    try {
      const later = ago(MIN);
      await ingest('events', [event('a7-e6', 'member_center_visit', later)]);
      const moved = await activity('a7-wm');
      expect(moved).toEqual({ days: [day(today), day(later)], counts: [1, 2], visits: [day(later)] });
      await refreshActivity(db(), { now: clock.now(), externalUserids: ['a7-wm'] });
      expect(await activity('a7-wm')).toEqual(moved);
    } finally {
      clock.advance(-60 * DAY_MS);
    }
  });
});

describe('refused ingest requests store nothing', () => {
  const items = [order('b1-o1', 'b1-wm1', 10)];

  it('answers 401 to a bad signature, a stale timestamp and missing or malformed headers', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const raw = JSON.stringify({ items });
    const attempts = [
      send('orders', { items }, { secret: 'not-the-secret-at-all' }),
      send('orders', { items }, { timestamp: now - 6 * 60 }),
      send('orders', { items }, { timestamp: now + 6 * 60 }),
      send('orders', { items }, { headers: {} }),
      send('orders', { items }, { headers: { 'x-timestamp': String(now) } }),
      send(
        'orders',
        { items },
        {
          headers: {
            'x-timestamp': 'yesterday',
            'x-signature': signIngestBody(app.config.ingestSecret, 'yesterday', raw),
          },
        },
      ),
      send('orders', { items }, { headers: { 'x-timestamp': String(now), 'x-signature': 'sha256=abc' } }),
      // signed for a different body
      send(
        'orders',
        { items },
        {
          headers: {
            'x-timestamp': String(now),
            'x-signature': signIngestBody(app.config.ingestSecret, now, `${raw} `),
          },
        },
      ),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as ApiError).error.code).toBe('unauthorized');
    }
    // within the window either way is fine
    expect(
      (await send('orders', { items: [order('b1-o2', 'b1-wm2', 1)] }, { timestamp: now - 4 * 60 })).status,
    ).toBe(200);
    expect(await counts('b1-o1')).toMatchObject({ orders: 0 });
    expect(await counts('b1-wm1')).toMatchObject({ customers: 0, timeline: 0 });
  });

  it('answers 413 to an oversize body and 400 to a body that is not JSON', async () => {
    const big = await send('orders', { items, padding: 'x'.repeat(5 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ApiError).error.code).toBe('payload_too_large');
    for (const raw of ['{"items": [', '']) {
      const notJson = await send('orders', raw);
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as ApiError).error.code).toBe('bad_request');
    }
  });

  it('answers 422 to 1,001 items, to no items and to a body without items', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => order(`b2-o${i}`, `b2-wm${i % 7}`, 1));
    for (const body of [{ items: many }, { items: [] }, {}, []]) {
      const res = await send('orders', body);
      expect(res.status).toBe(422);
      const error = ((await res.json()) as ApiError).error;
      expect(error.code).toBe('unprocessable');
      expect(error.issues?.[0]?.path).toMatch(/^items$|^$/);
    }
    expect(await counts('b2-')).toMatchObject({ orders: 0, customers: 0 });
  });

  it('answers 422 naming every bad item, and stores none of the good ones', async () => {
    const res = await send('orders', {
      items: [
        order('b3-o0', 'b3-wm1', 10),
        order('b3-o1', 'b3-wm1', 10.123),
        order('b3-o2', 'b3-wm1', 10),
        { externalUserId: 'b3-wm1', amount: 1, status: 'paid', paidAt: ago(MIN) },
        order('b3-o4', 'b3-wm1', 10, { status: 42 }),
        order('b3-o5', 'b3-wm1', '-3'),
        order('b3-o6', 'b3-wm1', 10, { paidAt: '2024-13-45' }),
        order('b3-o7', 'b3-wm1', 10, { items: [{ sku: 'S', name: 'n', qty: 0, price: 1 }] }),
      ],
    });
    expect(res.status).toBe(422);
    const error = ((await res.json()) as ApiError).error;
    expect(error.message).toMatch(/6 items are invalid/);
    expect(error.issues!.map((i) => i.path)).toEqual([
      'items.1.amount',
      'items.3.orderId',
      'items.4.status',
      'items.5.amount',
      'items.6.paidAt',
      'items.7.items.0.qty',
    ]);
    expect(await counts('b3-')).toEqual({ orders: 0, coupons: 0, events: 0, customers: 0, timeline: 0 });

    const events = await send('events', {
      items: [
        { eventId: 'b3-e0', externalUserId: 'b3-wm1', kind: 'product_view', occurredAt: ago(MIN) },
        { eventId: 'b3-e1', externalUserId: 'b3-wm1', kind: 'teleport', occurredAt: ago(MIN) },
        { eventId: 'b3-e2', externalUserId: 42, kind: 'cart_add', occurredAt: ago(MIN) },
      ],
    });
    expect(events.status).toBe(422);
    expect(((await events.json()) as ApiError).error.issues!.map((i) => i.path)).toEqual([
      'items.1.kind',
      'items.2.externalUserId',
    ]);
    const coupons = await send('coupons', {
      items: [
        {
          couponId: 'b3-c0',
          externalUserId: 'b3-wm1',
          name: 'x',
          value: 1,
          issuedAt: ago(MIN),
          expiresAt: ago(2 * MIN),
        },
        {
          couponId: '',
          externalUserId: 'b3-wm1',
          name: 'x',
          value: 1,
          issuedAt: ago(MIN),
          expiresAt: ago(-MIN),
        },
      ],
    });
    expect(coupons.status).toBe(422);
    expect(((await coupons.json()) as ApiError).error.issues!.map((i) => i.path)).toEqual([
      'items.0.expiresAt',
      'items.1.couponId',
    ]);
    expect(await counts('b3-')).toEqual({ orders: 0, coupons: 0, events: 0, customers: 0, timeline: 0 });
  });
});

describe('derived customer values', () => {
  async function facts(id: string) {
    const c = await customer(id);
    const follows = await db()
      .selectFrom('follow_relations')
      .select('status')
      .where('external_userid', '=', id)
      .execute();
    const events = await db()
      .selectFrom('behavior_events')
      .select(['kind', 'occurred_at'])
      .where('external_userid', '=', id)
      .execute();
    const orders = await db()
      .selectFrom('orders')
      .select(['amount_fen', 'status', 'paid_at'])
      .where('external_userid', '=', id)
      .execute();
    return { c, follows, events, orders };
  }

  /** The SQL that stored the values must agree with the reference definitions. */
  async function expectAgreement(id: string) {
    const { c, follows, events, orders } = await facts(id);
    const now = clock.now();
    const t = DEFAULT_CUSTOMER_THRESHOLDS;
    const stats = orderStats(
      orders.map((o) => ({ amountFen: o.amount_fen, status: o.status, paidAt: o.paid_at })),
    );
    expect({
      totalSpentFen: c.total_spent_fen,
      orderCount: c.order_count,
      refundCount: c.refund_count,
      refundedFen: c.refunded_fen,
      firstOrderAt: c.first_order_at,
      lastOrderAt: c.last_order_at,
    }).toEqual(stats);
    expect(c.lifecycle_stage).toBe(
      lifecycleStage(
        {
          firstSeenAt: c.created_at,
          lastInteractionAt: c.last_interaction_at,
          orderCount: c.order_count,
          refundCount: c.refund_count,
          followStatuses: follows.map((f) => f.status),
        },
        now,
        t,
      ),
    );
    expect(c.rfm_segment).toBe(
      rfmSegment(
        { lastOrderAt: c.last_order_at, orderCount: c.order_count, totalSpentFen: c.total_spent_fen },
        now,
        t,
      ),
    );
    expect(c.intent_score).toBeCloseTo(
      intentScore(
        events.map((e) => ({ kind: e.kind, occurredAt: e.occurred_at })),
        now,
        t,
      ),
      2,
    );
    return c;
  }

  it('computes stats, lifecycle, RFM and intent in SQL exactly as the definitions say', async () => {
    await ingest('orders', [
      order('c1-o1', 'c1-vip', 600, { paidAt: ago(3 * DAY_MS) }),
      order('c1-o2', 'c1-vip', 300, { paidAt: ago(10 * DAY_MS) }),
      order('c1-o3', 'c1-vip', 200, { paidAt: ago(20 * DAY_MS) }),
      order('c1-o4', 'c1-silent', 99, { paidAt: ago(40 * DAY_MS) }),
      order('c1-o5', 'c1-gone', 2000, { paidAt: ago(100 * DAY_MS) }),
      order('c1-o6', 'c1-gone', 50, {
        paidAt: ago(120 * DAY_MS),
        status: 'refunded',
        refundedAt: ago(119 * DAY_MS),
      }),
    ]);
    await ingest('events', [
      { eventId: 'c1-e1', externalUserId: 'c1-browser', kind: 'product_view', occurredAt: ago(DAY_MS) },
      { eventId: 'c1-e2', externalUserId: 'c1-browser', kind: 'product_view', occurredAt: ago(2 * DAY_MS) },
      { eventId: 'c1-e3', externalUserId: 'c1-browser', kind: 'cart_add', occurredAt: ago(4 * DAY_MS) },
      { eventId: 'c1-e4', externalUserId: 'c1-browser', kind: 'product_view', occurredAt: ago(31 * DAY_MS) },
      { eventId: 'c1-e5', externalUserId: 'c1-browser', kind: 'share', occurredAt: ago(-DAY_MS) },
    ]);
    const vip = await expectAgreement('c1-vip');
    expect(vip).toMatchObject({
      lifecycle_stage: 'active',
      rfm_segment: 'important_value',
      total_spent_fen: 110_000,
    });
    expect((await expectAgreement('c1-silent')).lifecycle_stage).toBe('silent');
    const gone = await expectAgreement('c1-gone');
    expect(gone).toMatchObject({
      lifecycle_stage: 'churn_risk',
      rfm_segment: 'important_winback',
      refund_count: 1,
    });
    const browser = await expectAgreement('c1-browser');
    expect(browser).toMatchObject({ lifecycle_stage: 'new', rfm_segment: null });
    expect(browser.intent_score).toBeGreaterThan(3);
    // the future-dated event counts as now, and never moves the last interaction past now
    expect(browser.last_interaction_at).toEqual(clock.now());
  });

  it('keeps the stats equal to the definitions as new, re-sent and changed orders arrive', async () => {
    await ingest('orders', [
      order('c3-o1', 'c3-wm1', 100, { paidAt: ago(5 * DAY_MS) }),
      order('c3-o2', 'c3-wm2', 40, { status: 'cancelled' }),
    ]);
    // an earlier and a later order, a refund seen for the first time, and a re-sent one
    await ingest('orders', [
      order('c3-o1', 'c3-wm1', 100, { paidAt: ago(5 * DAY_MS) }),
      order('c3-o3', 'c3-wm1', 250, { paidAt: ago(9 * DAY_MS) }),
      order('c3-o4', 'c3-wm1', 70, { paidAt: ago(2 * DAY_MS) }),
      order('c3-o5', 'c3-wm2', 30, { status: 'refunded', refundedAt: ago(MIN) }),
    ]);
    expect(await expectAgreement('c3-wm1')).toMatchObject({ order_count: 3, total_spent_fen: 42_000 });
    expect(await expectAgreement('c3-wm2')).toMatchObject({ order_count: 0, refund_count: 1 });
    // in one request: the last order refunded and a new one for the same customer
    await ingest('orders', [
      order('c3-o4', 'c3-wm1', 70, { paidAt: ago(2 * DAY_MS), status: 'refunded' }),
      order('c3-o6', 'c3-wm1', 5, { paidAt: ago(3 * DAY_MS) }),
      order('c3-o7', 'c3-wm2', 12),
    ]);
    expect(await expectAgreement('c3-wm1')).toMatchObject({
      order_count: 3,
      total_spent_fen: 35_500,
      refund_count: 1,
      last_order_at: new Date(ago(3 * DAY_MS)),
      first_order_at: new Date(ago(9 * DAY_MS)),
    });
    expect(await expectAgreement('c3-wm2')).toMatchObject({ order_count: 1, total_spent_fen: 1_200 });
  });

  it('keeps the stats right when concurrent requests send the same new orders differently', async () => {
    // whichever request stores an order first, the other one changes it: both paths must agree
    const batch = (status: string) =>
      Array.from({ length: 100 }, (_, i) => order(`c4-o${i}`, `c4-wm${i % 7}`, 10 + i, { status }));
    const results = await Promise.all(
      ['paid', 'refunded', 'cancelled', 'paid'].map((s) => send('orders', { items: batch(s) })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (let c = 0; c < 7; c++) await expectAgreement(`c4-wm${c}`);
  });

  it('moves customers on with time in the nightly job, and marks those who deleted every salesperson lost', async () => {
    await ingest('orders', [order('c2-o1', 'c2-wm1', 10, { paidAt: ago(DAY_MS) })]);
    await ingest('orders', [order('c2-o2', 'c2-wm2', 10, { paidAt: ago(DAY_MS) })]);
    await db()
      .insertInto('staff')
      .values([{ userid: 'c2-s1' }, { userid: 'c2-s2' }])
      .execute();
    await db()
      .insertInto('follow_relations')
      .values([
        { external_userid: 'c2-wm2', userid: 'c2-s1', status: 'deleted_by_customer' },
        { external_userid: 'c2-wm2', userid: 'c2-s2', status: 'deleted_by_staff' },
        { external_userid: 'c2-wm1', userid: 'c2-s1', status: 'deleted_by_customer' },
        { external_userid: 'c2-wm1', userid: 'c2-s2', status: 'active' },
      ])
      .execute();
    expect((await customer('c2-wm1')).lifecycle_stage).toBe('active');

    clock.advance(45 * DAY_MS);
    try {
      const { jobs } = app.runtime.ctx;
      const events = new QueueEvents('default', {
        connection: redisOptionsFromUrl(app.config.redisUrl!),
        prefix: jobs.prefix,
      });
      await events.waitUntilReady();
      const id = await jobs.enqueue('customers.refresh-derived', {});
      const result = (await (await jobs.queue('default').getJob(id))!.waitUntilFinished(events, 20_000)) as {
        changed: number;
      };
      await events.close();
      expect(result.changed).toBeGreaterThanOrEqual(2);
      expect(await expectAgreement('c2-wm1')).toMatchObject({
        lifecycle_stage: 'silent',
        rfm_segment: 'general_winback',
      });
      expect((await expectAgreement('c2-wm2')).lifecycle_stage).toBe('lost');
      await expectAgreement('c1-browser');
    } finally {
      clock.advance(-45 * DAY_MS);
    }
  });
});
