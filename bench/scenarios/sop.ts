import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, type Db, migrateToLatest, openDatabase } from '../../server/db/database.js';
import { fixedClock } from '../../server/infra/clock.js';
import { createLogger } from '../../server/infra/logger.js';
import { refreshActivity } from '../../server/repositories/customer-activity.js';
import { taskCreationStatement, taskSelectionStatement } from '../../server/repositories/sop-tasks.js';
import { scanInput } from '../../server/services/sop/engine.js';
import { loadPressure, lockForTaskCreation } from '../../server/services/sop/pressure.js';
import { SopRules } from '../../server/services/sop/rules.js';
import type { SopRule } from '../../shared/sop.js';
import type { Figure, Scenario } from '../harness.js';

/**
 * The SOP scans at scale: 1,000,000 customers with orders, coupons, behaviour and SOP history,
 * generated in bulk with SQL, on PostgreSQL (database `scrm_bench_sop`, reused once seeded) and
 * on PGlite (a data directory under the temp dir, reused likewise). Each scheduled scan — the
 * one statement that selects candidates and creates their tasks — is timed with EXPLAIN ANALYZE
 * inside a rolled-back transaction, next to a full sequential scan of the customers table in the
 * same run; a bulk scan creating tens of thousands of tasks gives tasks per second.
 *
 * BENCH_SOP_CUSTOMERS (default 1,000,000), BENCH_PG_URL (admin URL, default the local server),
 * BENCH_SOP_TARGETS (`postgres,pglite`).
 */

const CUSTOMERS = Number(process.env.BENCH_SOP_CUSTOMERS ?? 1_000_000);
/** not ../support.js: that module starts the whole runtime, which this scenario never needs */
const silent = createLogger({ level: 'silent' });
const SEED_VERSION = 6;
/** A fixed "now" (10:00 in Asia/Shanghai, outside quiet hours) so a reused database scans the same. */
const NOW = new Date('2025-06-02T02:00:00Z');
const STAFF = 200;
/** How long before NOW each scan's previous scheduled run was (the default rules' cron). */
const PREVIOUS_RUN_MS: Record<string, number> = {
  high_intent: 10 * 60_000,
  churn_risk: 86_400_000,
  coupon_expiry: 3_600_000,
};
const COUPONS = Math.round(CUSTOMERS / 2);
const HISTORY_TASKS = Math.round(CUSTOMERS / 10);

const seedStatements = (n: number) => {
  const now = sql`${NOW.toISOString()}::timestamptz`;
  return [
    [
      'staff',
      sql`INSERT INTO staff (userid, name, has_contact_permission)
      SELECT 'staff' || g, '员工' || g, true FROM generate_series(1, ${STAFF}::int) g`,
    ],
    [
      'customers',
      sql`INSERT INTO customers (external_userid, name, created_at, updated_at, channel_state)
      SELECT 'wm' || g, '客户' || g, ts, ts, CASE WHEN g % 4 = 0 THEN 'ch' || (g % 20) END
      FROM (SELECT g, ${now} - random() * interval '730 days' AS ts FROM generate_series(1, ${n}::int) g) x`,
    ],
    // one salesperson each; 3% deleted by the customer, 1% by the salesperson
    [
      'follow_relations',
      sql`INSERT INTO follow_relations (external_userid, userid, added_at, status, deleted_at, deleted_by, state)
      SELECT c.external_userid, 'staff' || (1 + abs(hashtext(c.external_userid)) % ${STAFF}::int), c.created_at,
        CASE WHEN r < 0.03 THEN 'deleted_by_customer' WHEN r < 0.04 THEN 'deleted_by_staff' ELSE 'active' END,
        CASE WHEN r < 0.04 THEN c.created_at + (${now} - c.created_at) * random() END,
        CASE WHEN r < 0.03 THEN 'customer' WHEN r < 0.04 THEN 'staff' END,
        c.channel_state
      FROM (SELECT external_userid, created_at, channel_state, random() AS r FROM customers) c`,
    ],
    // 60% of customers ordered, 1–6 times; amounts log-normal around ¥270 (about 6% above ¥800)
    [
      'orders',
      sql`INSERT INTO orders (order_id, external_userid, amount_fen, status, paid_at)
      SELECT 'o' || c.external_userid || '-' || k, c.external_userid,
        greatest(100, round(exp(5.6 + 0.7 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) * 100))::bigint,
        CASE WHEN random() < 0.05 THEN 'refunded' ELSE 'paid' END,
        c.created_at + (${now} - c.created_at) * random()
      FROM (SELECT external_userid, created_at, 1 + floor(random() * random() * 6)::int AS n
        FROM customers WHERE random() < 0.6) c,
        generate_series(1, c.n) k`,
    ],
    [
      'customer stats',
      sql`UPDATE customers c SET order_count = o.n, total_spent_fen = o.total,
        first_order_at = o.first_at, last_order_at = o.last_at
      FROM (SELECT external_userid, count(*) AS n, sum(amount_fen) AS total, min(paid_at) AS first_at,
          max(paid_at) AS last_at
        FROM orders WHERE status = 'paid' GROUP BY 1) o
      WHERE o.external_userid = c.external_userid`,
    ],
    // 35% engaged in the last 60 days (about 30,000 product views a day); a tenth of them went
    // quiet two weeks ago
    [
      'behavior_events',
      sql`INSERT INTO behavior_events (event_id, external_userid, kind, occurred_at, data)
      SELECT 'e' || c.external_userid || '-' || k, c.external_userid,
        (ARRAY['product_view', 'product_view', 'product_view', 'product_view', 'product_view', 'product_view',
          'cart_add', 'member_center_visit', 'coupon_view', 'search'])[1 + floor(random() * 10)::int],
        CASE WHEN c.dropping THEN ${now} - interval '14 days' - random() * interval '14 days'
          ELSE ${now} - random() * interval '60 days' END,
        '{}'
      FROM (SELECT external_userid, random() < 0.1 AS dropping, 1 + floor(random() * 15)::int AS n
        FROM customers WHERE random() < 0.35) c,
        generate_series(1, c.n) k`,
    ],
    ['last interaction', sql`UPDATE customers SET last_interaction_at = greatest(last_order_at, created_at)`],
    [
      'last interaction (events)',
      sql`UPDATE customers c SET last_interaction_at = greatest(c.last_interaction_at, e.last_at)
      FROM (SELECT external_userid, max(occurred_at) AS last_at FROM behavior_events GROUP BY 1) e
      WHERE e.external_userid = c.external_userid`,
    ],
    // what ingest keeps per customer from the events (the churn scan reads it from an index)
    ['customer activity', { execute: (db: Db) => refreshActivity(db, { now: NOW }) }],
    [
      'lifecycle',
      sql`UPDATE customers SET lifecycle_stage = CASE
        WHEN last_interaction_at > ${now} - interval '30 days' THEN 'active'
        WHEN last_interaction_at > ${now} - interval '90 days' THEN 'silent' ELSE 'churn_risk' END`,
    ],
    // the updates above left about three dead versions of every customer row behind; autovacuum keeps a
    // live table near its compact size, so compact it — a bloated table makes the full-scan
    // baseline look slower than it is (and flatters every ratio against it)
    ['compact customers', sql`VACUUM FULL customers`],
    [
      'coupons',
      sql`INSERT INTO coupons (coupon_id, external_userid, name, value_fen, issued_at, expires_at, used_at)
      SELECT 'cp' || g, 'wm' || (1 + floor(random() * ${n}::int)::int), '满200减' || v, v * 100, iss,
        iss + (7 + floor(random() * 53)::int) * interval '1 day',
        CASE WHEN random() < 0.4 THEN least(iss + random() * interval '7 days', ${now}) END
      FROM (SELECT g, ${now} - random() * interval '60 days' AS iss, 10 + floor(random() * 5)::int * 10 AS v
        FROM generate_series(1, ${COUPONS}::int) g) x`,
    ],
    // the timeline as ingest writes it: one entry per order, coupon and behaviour event, so the
    // per-customer timeline index the scans probe and the cap's skip entries go into has its real
    // size (millions of entries), not just the scans' own rows
    [
      'timeline (orders)',
      sql`INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT external_userid, 'order_paid', 'customer', paid_at,
        jsonb_build_object('orderId', order_id, 'amountFen', amount_fen, 'itemCount', 0), 'order_paid:' || order_id
      FROM orders WHERE status IN ('paid', 'refunded')`,
    ],
    [
      'timeline (coupons)',
      sql`INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT external_userid, 'coupon_issued', 'system', issued_at,
        jsonb_build_object('couponId', coupon_id, 'name', name, 'valueFen', value_fen, 'expiresAt', expires_at),
        'coupon_issued:' || coupon_id
      FROM coupons`,
    ],
    [
      'timeline (behaviour)',
      sql`INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT external_userid, 'behavior', 'customer', occurred_at,
        jsonb_build_object('eventId', event_id, 'eventKind', kind, 'data', data), 'behavior:' || event_id
      FROM behavior_events`,
    ],
    // a month of SOP history: cap and cooldown have something to count
    [
      'sop_tasks history',
      sql`INSERT INTO sop_tasks (rule_id, external_userid, userid, window_key, message, status,
        due_at, created_at, sent_at)
      SELECT r.id, 'wm' || (1 + floor(random() * ${n}::int)::int), 'staff' || (1 + g % ${STAFF}::int), 'hist-' || g,
        '历史任务', s, ts + interval '4 hours', ts, CASE WHEN s IN ('sent', 'done') THEN ts + interval '1 hour' END
      FROM (SELECT g, ${now} - random() * interval '30 days' AS ts,
          (ARRAY['sent', 'done', 'done', 'skipped', 'expired', 'pending'])[1 + floor(random() * 6)::int] AS s
        FROM generate_series(1, ${HISTORY_TASKS}::int) g) x
      JOIN sop_rules r ON r.id = 1 + x.g % 3`,
    ],
    ['tags', sql`INSERT INTO tag_groups (group_id, name) VALUES ('g-intent', '意向')`],
    ['tags', sql`INSERT INTO tags (tag_id, group_id, name) VALUES ('t-intent', 'g-intent', '高意向')`],
    [
      'tag_added',
      sql`INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT 'wm' || g, 'tag_added', 'staff1', ${now} - random() * interval '48 hours',
        '{"tagId":"t-intent","tagName":"高意向"}', 'bench-tag-' || g
      FROM generate_series(1, ${n}::int, 200) g`,
    ],
    [
      'customer_tags',
      sql`INSERT INTO customer_tags (external_userid, userid, tag_id)
      SELECT t.external_userid, fr.userid, 't-intent' FROM timeline t
      JOIN follow_relations fr ON fr.external_userid = t.external_userid
      WHERE t.kind = 'tag_added'`,
    ],
    [
      'marker',
      sql`INSERT INTO settings (key, value) VALUES ('bench.sop.seed',
      ${JSON.stringify({ version: SEED_VERSION, customers: n, now: NOW.toISOString() })}::jsonb)`,
    ],
  ] as const;
};

async function seeded(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'bench.sop.seed')
    .executeTakeFirst();
  const v = row?.value as { version?: number; customers?: number } | undefined;
  return v?.version === SEED_VERSION && v.customers === CUSTOMERS;
}

async function seed(db: Db, label: string): Promise<void> {
  if (await seeded(db)) {
    console.log(`  ${label}: reusing the seeded database (${CUSTOMERS} customers)`);
    return;
  }
  await sql`TRUNCATE staff, customers, follow_relations, orders, order_items, coupons, behavior_events, timeline,
    sop_tasks, sop_skips, tags, tag_groups, customer_tags CASCADE`.execute(db);
  await sql`DELETE FROM settings WHERE key = 'bench.sop.seed'`.execute(db);
  await sql`SELECT setseed(0.17)`.execute(db);
  const started = performance.now();
  for (const [name, statement] of seedStatements(CUSTOMERS)) {
    const t0 = performance.now();
    await statement.execute(db);
    console.log(`  ${label}: seeded ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await sql`VACUUM ANALYZE`.execute(db);
  const counts = await sql<Record<string, number>>`SELECT
    (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
    (SELECT count(*) FROM behavior_events)::int AS events, (SELECT count(*) FROM coupons)::int AS coupons,
    (SELECT count(*) FROM sop_tasks)::int AS tasks, (SELECT count(*) FROM timeline)::int AS timeline`.execute(
    db,
  );
  console.log(
    `  ${label}: seeded in ${((performance.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(counts.rows[0])}`,
  );
}

async function executionMs(db: Db, statement: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await sql<{
    'QUERY PLAN': unknown;
  }>`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${statement}`.execute(db);
  const raw = rows[0]!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ 'Execution Time': number }>;
  return plan[0]!['Execution Time'];
}

/** Thrown to roll a measuring transaction back. */
class Rollback extends Error {}

async function rolledBack<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  let out: T | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      out = await fn(trx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return out as T;
}

interface Target {
  label: string;
  handle: DatabaseHandle;
  rules: SopRule[];
}

async function measure(t: Target): Promise<Figure[]> {
  const db = t.handle.db;
  // every measurement rolls back, and a rolled-back bulk scan leaves 100,000 dead tasks dated NOW —
  // exactly the recent range the scans read; production has no such graveyard, so clear it
  await sql`VACUUM sop_tasks, sop_skips`.execute(db);
  const pressure = await loadPressure(db);
  const baseline = `${t.label}: full scan of customers`;
  const figures: Figure[] = [
    {
      name: baseline,
      value: await executionMs(db, sql`SELECT * FROM customers`),
      unit: 'ms',
      better: 'lower',
    },
  ];
  for (const rule of t.rules) {
    // steady state: the scan's previous scheduled run (10 minutes, an hour, a day earlier) has
    // already answered what it found then; the measured run sees only what is new since
    const previous = new Date(NOW.getTime() - (PREVIOUS_RUN_MS[rule.trigger] ?? 0));
    const input = scanInput(rule, pressure, NOW);
    const { candidates, selection, ms, created } = await rolledBack(db, async (trx) => {
      await lockForTaskCreation(trx);
      await taskCreationStatement(scanInput(rule, pressure, previous)).execute(trx);
      const candidates = await executionMs(trx, sql`SELECT count(*) FROM (${input.candidates}) c`);
      const selection = await executionMs(trx, taskSelectionStatement(input));
      const ms = await executionMs(trx, taskCreationStatement(input));
      const n = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM sop_tasks WHERE created_at = ${NOW}::timestamptz`.execute(trx);
      return { candidates, selection, ms, created: n.rows[0]!.n };
    });
    const first = await rolledBack(db, async (trx) => {
      await lockForTaskCreation(trx);
      return executionMs(trx, taskCreationStatement(input));
    });
    figures.push(
      {
        // the trigger's query alone: who is a candidate now, before answered, cap and owner
        name: `${t.label}: ${rule.trigger} candidates`,
        value: candidates,
        unit: 'ms',
        better: 'lower',
        baseline,
      },
      {
        name: `${t.label}: ${rule.trigger} selection`,
        value: selection,
        unit: 'ms',
        better: 'lower',
        baseline,
      },
      {
        name: `${t.label}: ${rule.trigger} select + create, one statement`,
        value: ms,
        unit: 'ms',
        better: 'lower',
        baseline,
      },
      { name: `${t.label}: ${rule.trigger} tasks created`, value: created, unit: 'tasks', better: 'higher' },
      {
        name: `${t.label}: ${rule.trigger} first-ever run`,
        value: first,
        unit: 'ms',
        better: 'lower',
        baseline,
      },
    );
  }
  // bulk: every customer silent for 90 to 180 days at once — tens of thousands of tasks
  const churn = t.rules.find((r) => r.trigger === 'churn_risk')!;
  const bulkRule = { ...churn, params: { ...churn.params, catchUpDays: 90 } } as SopRule;
  const bulk = await rolledBack(db, async (trx) => {
    const t0 = performance.now();
    await lockForTaskCreation(trx);
    const { rows } = await taskCreationStatement(scanInput(bulkRule, pressure, NOW)).execute(trx);
    return { seconds: (performance.now() - t0) / 1000, created: rows[0]!.created };
  });
  figures.push(
    { name: `${t.label}: bulk scan tasks created`, value: bulk.created, unit: 'tasks', better: 'higher' },
    {
      name: `${t.label}: tasks created per second`,
      value: bulk.created / bulk.seconds,
      unit: 'tasks/s',
      better: 'higher',
    },
  );
  return figures;
}

async function postgresTarget(): Promise<DatabaseHandle> {
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = CUSTOMERS === 1_000_000 ? 'scrm_bench_sop' : `scrm_bench_sop_${CUSTOMERS}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), logger: silent, poolSize: 2 });
}

async function pgliteTarget(): Promise<DatabaseHandle> {
  const dir = path.join(tmpdir(), `scrm-bench-sop-pglite-${CUSTOMERS}`);
  mkdirSync(dir, { recursive: true });
  return openDatabase({ dataDir: dir, logger: silent });
}

export function sopScenario(): Scenario {
  const targets: Target[] = [];
  const wanted = (process.env.BENCH_SOP_TARGETS ?? 'postgres,pglite').split(',');
  return {
    name: 'sop',
    description: `SOP scans over ${CUSTOMERS.toLocaleString('en')} customers (EXPLAIN ANALYZE, rolled back) vs a full scan of customers`,
    runs: 3,
    async setup() {
      for (const [label, open] of [
        ['postgres', postgresTarget],
        ['pglite', pgliteTarget],
      ] as const) {
        if (!wanted.includes(label)) continue;
        const handle = await open();
        await migrateToLatest(handle.db);
        await seed(handle.db, label);
        const rules = new SopRules({
          db: handle.db,
          clock: fixedClock(NOW),
          logger: silent,
          schedules: { upsert: async () => {}, remove: async () => {}, list: async () => [] },
        });
        const all = await rules.list();
        const defaults = ['high_intent', 'churn_risk', 'coupon_expiry'].map(
          (tr) => all.find((r) => r.trigger === tr)!,
        );
        targets.push({ label, handle, rules: defaults });
      }
    },
    async run() {
      const figures: Figure[] = [];
      for (const t of targets) figures.push(...(await measure(t)));
      return figures;
    },
    async teardown() {
      for (const t of targets) await t.handle.close();
    },
  };
}
