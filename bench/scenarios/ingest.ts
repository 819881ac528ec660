import { signIngestBody } from '../../server/http/middleware/ingest-signature.js';
import type { Figure, Scenario } from '../harness.js';
import { freshBenchDatabase, startBenchApp } from '../support.js';

const BATCH = 1000;
const REQUESTS = 20;
const CUSTOMERS = 20_000;
const SECRET = 'bench-ingest-secret-0123';

interface BenchOrder {
  orderId: string;
  externalUserId: string;
  amount: string;
  status: 'paid';
  paidAt: string;
  items: { sku: string; name: string; qty: number; price: string }[];
}

function makeOrders(tag: string): BenchOrder[] {
  const paidAt = new Date().toISOString();
  return Array.from({ length: BATCH }, (_, i) => {
    const price = `${(i % 500) + 1}.${String(i % 100).padStart(2, '0')}`;
    return {
      orderId: `bench-${tag}-${i}`,
      externalUserId: `bench-wm-${Math.floor(Math.random() * CUSTOMERS)}`,
      amount: price,
      status: 'paid',
      paidAt,
      items: [
        { sku: `SKU-${i % 97}`, name: '精华液 30ml', qty: 1, price },
        { sku: 'GIFT', name: '小样', qty: 1, price: '0' },
      ],
    };
  });
}

const EVENT_KINDS = [
  'product_view',
  'product_view',
  'product_view',
  'cart_add',
  'member_center_visit',
  'search',
];

/** Behaviour of the last 30 days over the same customers: stats, intent and per-day activity move. */
function makeEvents(tag: string) {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, i) => ({
    eventId: `bench-${tag}-${i}`,
    externalUserId: `bench-wm-${Math.floor(Math.random() * CUSTOMERS)}`,
    kind: EVENT_KINDS[i % EVENT_KINDS.length]!,
    occurredAt: new Date(now - Math.random() * 30 * 86_400_000).toISOString(),
  }));
}

/** Items/s of `insert` run over the batches one after another: the bare-INSERT baselines. */
async function bareRate<T>(batches: T[][], insert: (batch: T[]) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (const batch of batches) await insert(batch);
  return (batches.length * BATCH) / ((performance.now() - t0) / 1000);
}

/** Sends `requests` bodies over `connections` parallel lanes; answers items/s and the median latency. */
async function sendAll(url: string, bodies: string[], connections: number, kind = 'orders') {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const ts = Math.floor(Date.now() / 1000);
        const t0 = performance.now();
        const res = await fetch(`${url}/api/ingest/${kind}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-timestamp': String(ts),
            'x-signature': signIngestBody(SECRET, ts, body),
          },
          body,
        });
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    itemsPerSecond: (bodies.length * BATCH) / seconds,
    p50: latencies[Math.floor(latencies.length / 2)]!,
  };
}

/**
 * Signed 1,000-order requests through the whole app (validation, one transaction with stubs,
 * upserts, order lines, timeline, stats and derived values) against a bare multi-row INSERT of
 * the same orders through Kysely into the same database — PostgreSQL (a fresh database on the
 * local server, BENCH_PG_URL), where concurrent requests really run side by side. Likewise
 * 1,000-event requests (events, timeline, last interaction, derived values and per-day activity)
 * against a bare INSERT of the events.
 */
export function ingestScenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let database: Awaited<ReturnType<typeof freshBenchDatabase>>;
  return {
    name: 'ingest',
    description: `POST /api/ingest/orders and /events, ${REQUESTS} requests × ${BATCH} items, vs bare INSERT of the same rows, on PostgreSQL`,
    runs: 3,
    async setup() {
      database = await freshBenchDatabase('scrm_bench_ingest');
      app = await startBenchApp({ ingestSecret: SECRET, databaseUrl: database.url });
      // the baseline inserts orders straight into the table, so its customers must exist
      const { db } = app.runtime.ctx;
      for (let from = 0; from < CUSTOMERS; from += 5000) {
        await db
          .insertInto('customers')
          .values(Array.from({ length: 5000 }, (_, i) => ({ external_userid: `bench-wm-${from + i}` })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    },
    async run(iteration) {
      const { db } = app.runtime.ctx;
      const url = app.runtime.url!;
      const batches = (tag: string) =>
        Array.from({ length: REQUESTS }, (_, r) => makeOrders(`${iteration}-${tag}-${r}`));

      const bareOrders = await bareRate(batches('bare'), (orders) =>
        db
          .insertInto('orders')
          .values(
            orders.map((o) => ({
              order_id: o.orderId,
              external_userid: o.externalUserId,
              amount_fen: Math.round(Number(o.amount) * 100),
              status: o.status,
              paid_at: o.paidAt,
            })),
          )
          .execute(),
      );

      const serialBodies = batches('c1').map((items) => JSON.stringify({ items }));
      const serial = await sendAll(url, serialBodies, 1);
      const parallelBodies = batches('c4').map((items) => JSON.stringify({ items }));
      const parallel = await sendAll(url, parallelBodies, 4);
      // the same requests again: every order already stored and unchanged
      const resend = await sendAll(url, parallelBodies, 4);

      // behaviour events: the same path with per-customer activity, against a bare INSERT of them
      const eventBatches = (tag: string) =>
        Array.from({ length: REQUESTS }, (_, r) => makeEvents(`${iteration}-${tag}-${r}`));
      const bareEvents = await bareRate(eventBatches('ebare'), (events) =>
        db
          .insertInto('behavior_events')
          .values(
            events.map((e) => ({
              event_id: e.eventId,
              external_userid: e.externalUserId,
              kind: e.kind,
              occurred_at: e.occurredAt,
              data: '{}',
            })),
          )
          .execute(),
      );
      const eventBodies = (tag: string) => eventBatches(tag).map((items) => JSON.stringify({ items }));
      const serialEvents = await sendAll(url, eventBodies('e1'), 1, 'events');
      const parallelEvents = await sendAll(url, eventBodies('e4'), 4, 'events');

      const figure = (name: string, value: number, unit: string, baseline?: string): Figure => ({
        name,
        value,
        unit,
        better: unit === 'ms' ? 'lower' : 'higher',
        ...(baseline ? { baseline } : {}),
      });
      const ORDERS = 'bare INSERT';
      const EVENTS = 'events: bare INSERT';
      return [
        figure(ORDERS, bareOrders, 'orders/s'),
        figure('ingest API, 1 connection', serial.itemsPerSecond, 'orders/s', ORDERS),
        figure('ingest API, 4 connections', parallel.itemsPerSecond, 'orders/s', ORDERS),
        figure('ingest API re-send, 4 connections', resend.itemsPerSecond, 'orders/s', ORDERS),
        figure('ingest request p50, 1 connection', serial.p50, 'ms'),
        figure('ingest request p50, 4 connections', parallel.p50, 'ms'),
        figure(EVENTS, bareEvents, 'events/s'),
        figure('events: ingest API, 1 connection', serialEvents.itemsPerSecond, 'events/s', EVENTS),
        figure('events: ingest API, 4 connections', parallelEvents.itemsPerSecond, 'events/s', EVENTS),
      ];
    },
    async teardown() {
      await app.stop();
      await database.drop();
    },
  };
}
