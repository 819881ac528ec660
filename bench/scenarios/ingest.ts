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

/** Sends `requests` bodies over `connections` parallel lanes; answers orders/s and the median latency. */
async function sendAll(url: string, bodies: string[], connections: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const ts = Math.floor(Date.now() / 1000);
        const t0 = performance.now();
        const res = await fetch(`${url}/api/ingest/orders`, {
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
    ordersPerSecond: (bodies.length * BATCH) / seconds,
    p50: latencies[Math.floor(latencies.length / 2)]!,
  };
}

/**
 * Signed 1,000-order requests through the whole app (validation, one transaction with stubs,
 * upserts, order lines, timeline, stats and derived values) against a bare multi-row INSERT of
 * the same orders through Kysely into the same database — PostgreSQL (a fresh database on the
 * local server, BENCH_PG_URL), where concurrent requests really run side by side.
 */
export function ingestScenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let database: Awaited<ReturnType<typeof freshBenchDatabase>>;
  return {
    name: 'ingest',
    description: `POST /api/ingest/orders, ${REQUESTS} requests × ${BATCH} orders, vs bare INSERT of the same orders, on PostgreSQL`,
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

      const bare = batches('bare');
      const t0 = performance.now();
      for (const orders of bare) {
        await db
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
          .execute();
      }
      const bareRate = (REQUESTS * BATCH) / ((performance.now() - t0) / 1000);

      const serialBodies = batches('c1').map((items) => JSON.stringify({ items }));
      const serial = await sendAll(url, serialBodies, 1);
      const parallelBodies = batches('c4').map((items) => JSON.stringify({ items }));
      const parallel = await sendAll(url, parallelBodies, 4);
      // the same requests again: every order already stored and unchanged
      const resend = await sendAll(url, parallelBodies, 4);

      const figure = (name: string, value: number, unit = 'orders/s'): Figure => ({
        name,
        value,
        unit,
        better: unit === 'ms' ? 'lower' : 'higher',
        ...(unit === 'orders/s' && name !== 'bare INSERT' ? { baseline: 'bare INSERT' } : {}),
      });
      return [
        figure('bare INSERT', bareRate),
        figure('ingest API, 1 connection', serial.ordersPerSecond),
        figure('ingest API, 4 connections', parallel.ordersPerSecond),
        figure('ingest API re-send, 4 connections', resend.ordersPerSecond),
        figure('ingest request p50, 1 connection', serial.p50, 'ms'),
        figure('ingest request p50, 4 connections', parallel.p50, 'ms'),
      ];
    },
    async teardown() {
      await app.stop();
      await database.drop();
    },
  };
}
