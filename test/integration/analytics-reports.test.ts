import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FollowStatus } from '../../server/db/schema.js';
import { fixedClock } from '../../server/infra/clock.js';
import { contentReportSchema, customerReportSchema } from '../../shared/analytics.js';
import { channelReportSchema } from '../../shared/channels.js';
import { TARGET_METRIC_NAMES, type TargetMetric, targetsResponseSchema } from '../../shared/targets.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

/**
 * The channel, target, customer and content reports over a seeded dataset whose relations, orders,
 * events and sends sit right around 16:00 UTC (midnight in Asia/Shanghai): every figure must equal
 * an independent query written with Shanghai calendar dates instead of instants.
 */

const NOW = new Date('2025-06-20T04:00:00Z'); // 2025-06-20 12:00 Asia/Shanghai
const FROM = '2025-06-01'; // a Sunday: the first week bucket is one day long
const TO = '2025-06-15';
const H = 3_600_000;
const D = 86_400_000;
const clock = fixedClock(NOW);

let app: SimApp;
let cookie: string;
const db = () => app.runtime.ctx.db;

/** mulberry32: the same dataset on every run */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20250620);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

/** An instant near a Shanghai midnight: `utcDay`T16:00Z (= next day 00:00 +08) ± a little, or any time that day. */
function nearMidnight(): Date {
  const day = Date.parse('2025-04-25T16:00:00Z') + int(0, 55) * D;
  const shift = pick([-1000, 0, 1000, -1, 0, int(1, 23) * H, -int(1, 23) * H]);
  return new Date(day + shift);
}
const min = (a: Date, b: Date) => (a < b ? a : b);

const STAFF = ['zhangsan', 'lisi', 'wangwu'];
const STATES = ['chA', 'chB', 'chC', 'poster9', null, ''];

async function seed() {
  const d = db();
  await d
    .insertInto('staff')
    .values(STAFF.map((u) => ({ userid: u, name: u, has_contact_permission: true })))
    .onConflict((oc) => oc.column('userid').doNothing())
    .execute();
  await d
    .insertInto('channels')
    .values([
      { name: '渠道A', state: 'chA', cost_fen: 100_000, staff_userids: ['zhangsan'], config_id: 'cfgA' },
      { name: '渠道B', state: 'chB', cost_fen: 0, staff_userids: ['lisi'], config_id: 'cfgB' },
      {
        name: '渠道C',
        state: 'chC',
        cost_fen: 5_000,
        staff_userids: ['lisi'],
        deleted_at: new Date('2025-06-10T00:00:00Z'),
      },
      { name: '渠道D（新）', state: 'chD', cost_fen: 30_000, staff_userids: ['wangwu'], config_id: 'cfgD' },
    ])
    .execute();

  const stages = ['new', 'active', 'silent', 'churn_risk', 'lost'] as const;
  const segments = [null, 'important_value', 'general_develop', 'general_winback'];
  let orderNo = 0;
  let eventNo = 0;
  for (let i = 0; i < 90; i++) {
    const id = `c${String(i).padStart(3, '0')}`;
    await d
      .insertInto('customers')
      .values({
        external_userid: id,
        name: id,
        lifecycle_stage: pick(stages),
        rfm_segment: pick(segments),
      })
      .execute();
    const relations = pick([1, 1, 1, 2]);
    const staff = [...STAFF].sort(() => rand() - 0.5).slice(0, relations);
    let firstAdded: Date | undefined;
    for (const userid of staff) {
      const added = nearMidnight();
      firstAdded = !firstAdded || added < firstAdded ? added : firstAdded;
      let status: FollowStatus = pick([
        'active',
        'active',
        'active',
        'deleted_by_customer',
        'deleted_by_staff',
        'half',
      ]);
      let deleted: Date | null = null;
      if (status === 'deleted_by_customer' || status === 'deleted_by_staff') {
        deleted = new Date(
          added.getTime() + pick([H, 23 * H, 7 * D - 1000, 7 * D, 7 * D + 1000, 3 * D, 12 * D]),
        );
        if (deleted > NOW) {
          status = 'active';
          deleted = null;
        }
      }
      await d
        .insertInto('follow_relations')
        .values({
          external_userid: id,
          userid,
          state: pick(STATES),
          added_at: added,
          status,
          deleted_at: deleted,
          deleted_by: deleted ? (status === 'deleted_by_staff' ? 'staff' : 'customer') : null,
        })
        .execute();
    }
    for (let k = int(0, 4); k > 0; k--) {
      const paid = min(
        new Date(
          firstAdded!.getTime() +
            pick([
              -5 * D,
              0,
              H,
              30 * D - 1000,
              30 * D,
              30 * D + 1000,
              int(0, 40) * D + int(0, 86_399) * 1000,
            ]),
        ),
        NOW,
      );
      await d
        .insertInto('orders')
        .values({
          order_id: `o${++orderNo}`,
          external_userid: id,
          amount_fen: int(1, 2000) * 100 + pick([0, 50, 99]),
          status: pick(['paid', 'paid', 'paid', 'paid', 'refunded', 'cancelled']),
          paid_at: paid,
          coupon_id: rand() < 0.3 ? `cp${orderNo}` : null,
        })
        .execute();
    }
    for (let k = int(0, 3); k > 0; k--) {
      await d
        .insertInto('behavior_events')
        .values({
          event_id: `e${++eventNo}`,
          external_userid: id,
          kind: pick(['product_view', 'cart_add']),
          occurred_at: nearMidnight(),
          data: '{}',
        })
        .execute();
    }
  }
  // flags: open ones are excluded with excludeFlagged, a cleared one is not
  await d
    .insertInto('customer_flags')
    .values([
      { external_userid: 'c001', flag: 'no_interaction', detected_at: NOW, detail: '{}' },
      { external_userid: 'c002', flag: 'coupon_only', detected_at: NOW, detail: '{}' },
      { external_userid: 'c003', flag: 'quick_delete', detection_key: 'x', detected_at: NOW, detail: '{}' },
      {
        external_userid: 'c004',
        flag: 'shared_unionid',
        detection_key: 'u',
        detected_at: NOW,
        detail: '{}',
        cleared_at: NOW,
        cleared_by: 'boss',
      },
    ])
    .execute();
  for (let i = 5; i < 90; i += 7) {
    await d
      .insertInto('customer_flags')
      .values({
        external_userid: `c${String(i).padStart(3, '0')}`,
        flag: 'no_interaction',
        detected_at: NOW,
        detail: '{}',
      })
      .execute();
  }

  // SOP sends around the range's edges, with replies and orders around their windows
  const rules = await d.selectFrom('sop_rules').select('id').orderBy('id').execute();
  for (let i = 0; i < 70; i++) {
    const id = `c${String(int(0, 89)).padStart(3, '0')}`;
    const created = nearMidnight();
    const sent = rand() < 0.75 ? new Date(created.getTime() + pick([0, 1000, H, 5 * H])) : null;
    await d
      .insertInto('sop_tasks')
      .values({
        rule_id: pick(rules).id,
        external_userid: id,
        userid: pick(STAFF),
        window_key: `w${i}`,
        variant: int(0, 1),
        message: 'm',
        status: sent ? 'sent' : pick(['pending', 'skipped', 'expired']),
        due_at: new Date(created.getTime() + 4 * H),
        created_at: created,
        sent_at: sent,
      })
      .execute();
    if (sent) {
      const replyAt = new Date(sent.getTime() + pick([1000, 48 * H, 48 * H + 1000, -H]));
      if (rand() < 0.6) {
        await d
          .insertInto('behavior_events')
          .values({
            event_id: `e${++eventNo}`,
            external_userid: id,
            kind: 'product_view',
            occurred_at: replyAt,
            data: '{}',
          })
          .execute();
      }
      if (rand() < 0.4) {
        await d
          .insertInto('orders')
          .values({
            order_id: `o${++orderNo}`,
            external_userid: id,
            amount_fen: 9900,
            status: pick(['paid', 'paid', 'refunded']),
            paid_at: new Date(sent.getTime() + pick([1000, 7 * D, 7 * D + 1000])),
          })
          .execute();
      }
    }
  }
  await d
    .insertInto('quick_replies')
    .values([
      { title: '问候', kind: 'text', content: '您好', times_sent: 12, created_by: 'boss' },
      { title: '活动', kind: 'text', content: '618', times_sent: 40, created_by: 'boss' },
      { title: '售后', kind: 'text', content: '售后', times_sent: 0, created_by: 'boss' },
    ])
    .execute();
}

beforeAll(async () => {
  app = await startSimApp({ clock });
  await app.sim.addStaff({ userid: 'boss', name: '王主管' });
  cookie = await loginAs(app, 'boss');
  await seed();
});

afterAll(async () => {
  await app?.stop();
});

async function get(path: string) {
  const res = await fetch(`${app.url}${path}`, { headers: asUser(cookie) });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

const ratio = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
/** open flags, written independently of the product's helper */
const flagged = (ex: boolean, col: string) =>
  ex
    ? sql`${sql.ref(col)} NOT IN (SELECT external_userid FROM customer_flags WHERE cleared_at IS NULL)`
    : sql`true`;
/** a Shanghai calendar date of an instant column */
const shDate = (col: string) => sql`(${sql.ref(col)} AT TIME ZONE 'Asia/Shanghai')::date`;

describe('GET /api/reports/channels', () => {
  for (const ex of [false, true]) {
    it(`equals independent SQL${ex ? ' without flagged customers' : ''}`, async () => {
      const report = channelReportSchema.parse(
        await get(`/api/reports/channels?from=${FROM}&to=${TO}${ex ? '&excludeFlagged=1' : ''}`),
      );
      expect(report.excludeFlagged).toBe(ex);
      const asOf = sql`least((${TO}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai', ${NOW}::timestamptz)`;
      const { rows: expected } = await sql<{
        state: string | null;
        added: number;
        customers: number;
        deleted_by_staff: number;
        deleted_by_customer: number;
        eligible: number;
        retained: number;
      }>`
        SELECT CASE WHEN state = '' THEN NULL ELSE state END AS state, count(*)::int AS added,
          count(DISTINCT external_userid)::int AS customers,
          sum(CASE WHEN status = 'deleted_by_staff' THEN 1 ELSE 0 END)::int AS deleted_by_staff,
          sum(CASE WHEN status = 'deleted_by_customer' THEN 1 ELSE 0 END)::int AS deleted_by_customer,
          sum(CASE WHEN added_at <= ${asOf} - interval '7 days' THEN 1 ELSE 0 END)::int AS eligible,
          sum(CASE WHEN added_at <= ${asOf} - interval '7 days'
            AND NOT coalesce(deleted_at <= added_at + interval '7 days', false) THEN 1 ELSE 0 END)::int AS retained
        FROM follow_relations
        WHERE ${shDate('added_at')} BETWEEN ${FROM}::date AND ${TO}::date AND ${flagged(ex, 'external_userid')}
        GROUP BY 1`.execute(db());
      const { rows: money } = await sql<{ state: string | null; first_orders: number; revenue_fen: number }>`
        WITH cohort AS (
          SELECT DISTINCT ON (st, external_userid) CASE WHEN state = '' THEN NULL ELSE state END AS st,
            external_userid, added_at
          FROM follow_relations
          WHERE ${shDate('added_at')} BETWEEN ${FROM}::date AND ${TO}::date AND ${flagged(ex, 'external_userid')}
          ORDER BY st, external_userid, added_at
        ),
        first_paid AS (
          SELECT DISTINCT ON (external_userid) external_userid, paid_at FROM orders
          WHERE status = 'paid' ORDER BY external_userid, paid_at
        )
        SELECT c.st AS state,
          sum(CASE WHEN fp.paid_at >= c.added_at AND fp.paid_at < c.added_at + interval '30 days' THEN 1 ELSE 0 END)::int
            AS first_orders,
          coalesce(sum((SELECT sum(o.amount_fen) FROM orders o
            WHERE o.external_userid = c.external_userid AND o.status = 'paid' AND o.paid_at >= c.added_at)), 0)::bigint
            AS revenue_fen
        FROM cohort c LEFT JOIN first_paid fp ON fp.external_userid = c.external_userid
        GROUP BY 1`.execute(db());
      const moneyOf = new Map(money.map((m) => [m.state, m]));

      expect(expected.length).toBeGreaterThanOrEqual(4);
      for (const e of expected) {
        const row = report.rows.find((r) => r.state === e.state);
        const m = moneyOf.get(e.state)!;
        expect(row, String(e.state)).toMatchObject({
          added: e.added,
          customers: e.customers,
          deletedByStaff: e.deleted_by_staff,
          deletedByCustomer: e.deleted_by_customer,
          retentionEligible: e.eligible,
          retained7d: e.retained,
          retention7dRate: ratio(e.retained, e.eligible),
          firstOrders30d: m.first_orders,
          firstOrder30dRate: ratio(m.first_orders, e.customers),
          revenueFen: Number(m.revenue_fen),
        });
      }
      // channels without adds in the range still have a row; deleted ones only with adds
      expect(report.rows.find((r) => r.state === 'chD')).toMatchObject({
        added: 0,
        name: '渠道D（新）',
        costFen: 30_000,
      });
      expect(report.rows.find((r) => r.state === 'chC')).toMatchObject({ name: '渠道C', deleted: true });
      expect(report.rows.find((r) => r.state === 'poster9')).toMatchObject({
        name: 'poster9',
        channelId: null,
      });
      expect(report.rows.find((r) => r.state === null)).toMatchObject({ name: '自然添加' });
      expect(report.rows).toHaveLength(expected.length + 1);

      // cost: the channel's cost spread over its adds (flagged or not)
      const { rows: adds } = await sql<{ in_range: number; ever: number }>`
        SELECT count(*) FILTER (WHERE ${shDate('added_at')} BETWEEN ${FROM}::date AND ${TO}::date)::int AS in_range,
          count(*)::int AS ever
        FROM follow_relations WHERE state = 'chA'`.execute(db());
      const a = report.rows.find((r) => r.state === 'chA')!;
      const cost = Math.round((100_000 * adds[0]!.in_range) / adds[0]!.ever);
      expect(a).toMatchObject({ totalCostFen: 100_000, costFen: cost });
      expect(a.roi).toBe(Math.round((a.revenueFen / cost) * 10_000) / 10_000);
      expect(a.costPerRetainedFen).toBe(a.retained7d ? Math.round(cost / a.retained7d) : null);
      expect(report.rows.find((r) => r.state === 'chB')).toMatchObject({
        costFen: 0,
        roi: null,
        costPerRetainedFen: null,
      });

      // ranking and totals
      expect(report.rows.map((r) => r.rank)).toEqual(report.rows.map((_, i) => i + 1));
      for (let i = 1; i < report.rows.length; i++) {
        expect(report.rows[i - 1]!.retained7d).toBeGreaterThanOrEqual(report.rows[i]!.retained7d);
      }
      expect(report.totals.added).toBe(expected.reduce((s, e) => s + e.added, 0));
    });
  }
});

describe('GET /api/targets: actuals', () => {
  /** the month's figures for the team (userid null) or one salesperson, by calendar month in Shanghai */
  async function independent(month: string, userid: string | null, asOf: Date, ex: boolean) {
    const mine = (col: string) => (userid === null ? sql`true` : sql`${sql.ref(col)} = ${userid}`);
    const inMonth = (col: string) =>
      sql`to_char(${sql.ref(col)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = ${month}`;
    const monthStart = sql`(${`${month}-01`}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`;
    const { rows } = await sql<Record<string, number>>`
      SELECT
        (SELECT count(*) FROM follow_relations WHERE ${inMonth('added_at')} AND ${mine('userid')}
          AND ${flagged(ex, 'external_userid')})::int AS added,
        (SELECT count(*) FROM follow_relations WHERE ${inMonth('added_at')} AND ${mine('userid')}
          AND ${flagged(ex, 'external_userid')} AND added_at + interval '7 days' <= ${asOf}::timestamptz)::int AS eligible,
        (SELECT count(*) FROM follow_relations WHERE ${inMonth('added_at')} AND ${mine('userid')}
          AND ${flagged(ex, 'external_userid')} AND added_at + interval '7 days' <= ${asOf}::timestamptz
          AND (deleted_at IS NULL OR deleted_at > added_at + interval '7 days'))::int AS retained,
        (SELECT coalesce(sum(amount_fen), 0) FROM orders o WHERE status = 'paid' AND ${inMonth('paid_at')}
          AND ${flagged(ex, 'external_userid')}
          AND (${userid}::text IS NULL OR EXISTS (SELECT 1 FROM follow_relations fr
            WHERE fr.external_userid = o.external_userid AND fr.userid = ${userid}
              AND fr.added_at <= o.paid_at AND (fr.deleted_at IS NULL OR fr.deleted_at > o.paid_at))))::bigint AS gmv,
        (SELECT count(*) FROM (SELECT external_userid FROM follow_relations WHERE ${inMonth('added_at')}
          AND ${mine('userid')} AND ${flagged(ex, 'external_userid')} GROUP BY external_userid) x)::int AS cohort,
        (SELECT count(*) FROM (SELECT external_userid, min(added_at) AS a FROM follow_relations
            WHERE ${inMonth('added_at')} AND ${mine('userid')} AND ${flagged(ex, 'external_userid')}
            GROUP BY external_userid) x
          WHERE (SELECT min(paid_at) FROM orders o WHERE o.external_userid = x.external_userid AND o.status = 'paid')
            BETWEEN x.a AND x.a + interval '30 days' - interval '1 microsecond')::int AS first_orders,
        (SELECT count(*) FROM follow_relations WHERE ${mine('userid')} AND ${flagged(ex, 'external_userid')}
          AND added_at < ${monthStart} AND (deleted_at IS NULL OR deleted_at >= ${monthStart}))::int AS churn_base,
        (SELECT count(*) FROM follow_relations WHERE ${mine('userid')} AND ${flagged(ex, 'external_userid')}
          AND status = 'deleted_by_customer' AND ${inMonth('deleted_at')} AND deleted_at < ${asOf}::timestamptz)::int
          AS churned,
        (SELECT count(*) FROM sop_tasks WHERE ${inMonth('created_at')} AND ${mine('userid')}
          AND ${flagged(ex, 'external_userid')})::int AS tasks,
        (SELECT count(*) FROM sop_tasks WHERE ${inMonth('created_at')} AND ${mine('userid')}
          AND ${flagged(ex, 'external_userid')} AND sent_at IS NOT NULL)::int AS sent`.execute(db());
    const r = rows[0]!;
    return {
      new_customers: r.added,
      gmv: Number(r.gmv),
      first_order_rate: ratio(r.first_orders!, r.cohort!),
      retention_7d: ratio(r.retained!, r.eligible!),
      monthly_churn_rate: ratio(r.churned!, r.churn_base!),
      sop_completion: ratio(r.sent!, r.tasks!),
    } as Record<TargetMetric, number | null>;
  }

  for (const ex of [false, true]) {
    it(`team and every salesperson equal independent SQL, this month and last${ex ? ', flagged excluded' : ''}`, async () => {
      const res = targetsResponseSchema.parse(
        await get(`/api/targets?month=2025-06${ex ? '&excludeFlagged=1' : ''}`),
      );
      // 2025-06-20 12:00 of a 30-day month
      expect(res.elapsedShare).toBe(Math.round(((19.5 * D) / (30 * D)) * 10_000) / 10_000);
      expect(res.staff.map((s) => s.userid)).toEqual(STAFF.slice().sort());
      for (const userid of [null, ...STAFF]) {
        const now = await independent('2025-06', userid, NOW, ex);
        const prev = await independent('2025-05', userid, new Date('2025-05-31T16:00:00Z'), ex);
        for (const metric of TARGET_METRIC_NAMES) {
          const row = res.rows.find((r) => r.userid === userid && r.metric === metric)!;
          expect({ userid, metric, actual: row.actual, previous: row.previous }).toEqual({
            userid,
            metric,
            actual: now[metric],
            previous: prev[metric],
          });
        }
      }
    });
  }
});

describe('GET /api/reports/customers', () => {
  for (const ex of [false, true]) {
    it(`weekly series and snapshot equal independent SQL${ex ? ' without flagged customers' : ''}`, async () => {
      const report = customerReportSchema.parse(
        await get(
          `/api/reports/customers?from=${FROM}&to=${TO}&granularity=week${ex ? '&excludeFlagged=1' : ''}`,
        ),
      );
      expect(report.series.map((s) => s.period)).toEqual(['2025-06-01', '2025-06-02', '2025-06-09']);
      const bucket = (col: string) =>
        sql`greatest(date_trunc('week', ${sql.ref(col)} AT TIME ZONE 'Asia/Shanghai')::date, ${FROM}::date)`;
      const { rows } = await sql<{
        period: string;
        orders: number;
        revenue: number;
        buyers: number;
        first_buyers: number;
        intervals: number;
        median: number | null;
      }>`
        WITH p AS (
          SELECT o.*, ${bucket('paid_at')} AS b,
            (SELECT max(o2.paid_at) FROM orders o2 WHERE o2.external_userid = o.external_userid AND o2.status = 'paid'
              AND (o2.paid_at, o2.order_id) < (o.paid_at, o.order_id)) AS prev,
            (SELECT min(o3.paid_at) FROM orders o3 WHERE o3.external_userid = o.external_userid AND o3.status = 'paid') AS first
          FROM orders o
          WHERE o.status = 'paid' AND ${shDate('paid_at')} BETWEEN ${FROM}::date AND ${TO}::date
            AND ${flagged(ex, 'external_userid')}
        )
        SELECT to_char(b, 'YYYY-MM-DD') AS period, count(*)::int AS orders, sum(amount_fen)::bigint AS revenue,
          count(DISTINCT external_userid)::int AS buyers,
          count(DISTINCT external_userid) FILTER (WHERE greatest(date_trunc('week', first AT TIME ZONE 'Asia/Shanghai')::date, ${FROM}::date) = b
            AND first >= (${FROM}::date)::timestamp AT TIME ZONE 'Asia/Shanghai')::int AS first_buyers,
          count(prev)::int AS intervals,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM paid_at - prev) / 86400) AS median
        FROM p GROUP BY b ORDER BY b`.execute(db());
      const { rows: bases } = await sql<{ period: string; base: number; ordering: number }>`
        WITH b AS (SELECT * FROM (VALUES ('2025-06-01'::date, '2025-06-02'::date), ('2025-06-02', '2025-06-09'),
          ('2025-06-09', '2025-06-16')) v(s, e)),
        bi AS (SELECT s, s::timestamp AT TIME ZONE 'Asia/Shanghai' AS si, e::timestamp AT TIME ZONE 'Asia/Shanghai' AS ei FROM b)
        SELECT to_char(s, 'YYYY-MM-DD') AS period,
          (SELECT count(DISTINCT fr.external_userid) FROM follow_relations fr WHERE fr.added_at < bi.ei
            AND coalesce(fr.deleted_at >= bi.si, true) AND ${flagged(ex, 'fr.external_userid')})::int AS base,
          (SELECT count(DISTINCT fr.external_userid) FROM follow_relations fr WHERE fr.added_at < bi.ei
            AND coalesce(fr.deleted_at >= bi.si, true) AND ${flagged(ex, 'fr.external_userid')}
            AND EXISTS (SELECT 1 FROM orders o WHERE o.external_userid = fr.external_userid AND o.status = 'paid'
              AND o.paid_at >= bi.si AND o.paid_at < bi.ei))::int AS ordering
        FROM bi ORDER BY s`.execute(db());
      expect(rows.length).toBeGreaterThan(0);
      for (const s of report.series) {
        const e = rows.find((r) => r.period === s.period);
        const b = bases.find((r) => r.period === s.period)!;
        expect(s).toMatchObject({
          base: b.base,
          orderingCustomers: b.ordering,
          orderingShare: ratio(b.ordering, b.base),
          orders: e?.orders ?? 0,
          revenueFen: Number(e?.revenue ?? 0),
          buyers: e?.buyers ?? 0,
          firstBuyers: e?.first_buyers ?? 0,
          repeatBuyers: (e?.buyers ?? 0) - (e?.first_buyers ?? 0),
          avgOrderValueFen: e ? Math.round(Number(e.revenue) / e.orders) : null,
          repurchaseIntervals: e?.intervals ?? 0,
          medianRepurchaseDays: e?.median == null ? null : Math.round(Number(e.median) * 10) / 10,
        });
      }
      const { rows: snap } = await sql<{ stage: string; n: number }>`
        SELECT lifecycle_stage AS stage, count(*)::int AS n FROM customers c
        WHERE c.external_userid IN (SELECT external_userid FROM follow_relations) AND ${flagged(ex, 'c.external_userid')}
        GROUP BY 1`.execute(db());
      for (const { stage, n } of snap) {
        expect(report.snapshot.lifecycle.find((l) => l.stage === stage)?.customers).toBe(n);
      }
      expect(report.snapshot.customers).toBe(snap.reduce((s, r) => s + r.n, 0));
      const { rows: rfm } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM customers c WHERE rfm_segment = 'important_value'
          AND c.external_userid IN (SELECT external_userid FROM follow_relations) AND ${flagged(ex, 'c.external_userid')}`.execute(
        db(),
      );
      expect(report.snapshot.rfm.find((r) => r.segment === 'important_value')?.customers).toBe(rfm[0]!.n);
    });
  }

  it('monthly buckets by default for long ranges; bad ranges are refused', async () => {
    const report = customerReportSchema.parse(
      await get('/api/reports/customers?from=2025-04-15&to=2025-06-20'),
    );
    expect(report.granularity).toBe('month');
    expect(report.series.map((s) => s.period)).toEqual(['2025-04-15', '2025-05-01', '2025-06-01']);
    const bad = await fetch(`${app.url}/api/reports/customers?from=2025-06-20&to=2025-06-01`, {
      headers: asUser(cookie),
    });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/reports/content', () => {
  for (const ex of [false, true]) {
    it(`SOP templates equal independent SQL${ex ? ' without flagged customers' : ''}`, async () => {
      const report = contentReportSchema.parse(
        await get(`/api/reports/content?from=${FROM}&to=${TO}${ex ? '&excludeFlagged=1' : ''}`),
      );
      const { rows } = await sql<{
        rule_id: number;
        variant: number;
        sent: number;
        replied: number;
        ordered: number;
        engaged: number;
      }>`
        SELECT rule_id::int, variant::int, count(*)::int AS sent,
          sum(r)::int AS replied, sum(o)::int AS ordered, sum(greatest(r, o))::int AS engaged
        FROM (
          SELECT t.rule_id, t.variant,
            (SELECT count(*) FROM behavior_events e WHERE e.external_userid = t.external_userid
              AND e.occurred_at > t.sent_at AND e.occurred_at <= t.sent_at + interval '2 days' LIMIT 1) > 0 AS rb,
            (SELECT count(*) FROM orders x WHERE x.external_userid = t.external_userid AND x.status = 'paid'
              AND x.paid_at > t.sent_at AND x.paid_at <= t.sent_at + interval '168 hours') > 0 AS ob
          FROM sop_tasks t
          WHERE t.sent_at IS NOT NULL AND ${shDate('sent_at')} BETWEEN ${FROM}::date AND ${TO}::date
            AND ${flagged(ex, 't.external_userid')}
        ) x CROSS JOIN LATERAL (SELECT rb::int AS r, ob::int AS o) y
        GROUP BY 1, 2`.execute(db());
      expect(rows.length).toBeGreaterThan(0);
      expect(report.templates).toHaveLength(rows.length);
      for (const e of rows) {
        expect(report.templates.find((t) => t.ruleId === e.rule_id && t.variant === e.variant)).toMatchObject(
          {
            sent: e.sent,
            replied: e.replied,
            replyRate: ratio(e.replied, e.sent),
            ordered: e.ordered,
            orderRate: ratio(e.ordered, e.sent),
            engaged: e.engaged,
            engagedRate: ratio(e.engaged, e.sent),
          },
        );
      }
      expect(report.templates[0]!.template).toEqual(expect.any(String));
      expect(report.quickReplies.map((q) => [q.title, q.timesSent, q.rank])).toEqual([
        ['活动', 40, 1],
        ['问候', 12, 2],
        ['售后', 0, 3],
      ]);
    });
  }
});

describe('PUT /api/targets then GET: completion and pacing', () => {
  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: asUser(cookie),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked with the shared schemas below
    return { status: res.status, body: (await res.json()) as any };
  }

  it('replaces the month’s targets and tracks them', async () => {
    const bad = await call('PUT', '/api/targets', {
      month: '2025-06',
      targets: [{ scope: 'staff', metric: 'gmv', value: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('targets.0.userid');

    const put = await call('PUT', '/api/targets', {
      month: '2025-06',
      targets: [
        { scope: 'team', metric: 'new_customers', value: 40 },
        { scope: 'team', metric: 'monthly_churn_rate', value: 0.05 },
        { scope: 'staff', userid: 'zhangsan', metric: 'gmv', value: 100_000_000 },
        { scope: 'staff', userid: 'lisi', metric: 'sop_completion', value: 0.9 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const res = targetsResponseSchema.parse((await call('GET', '/api/targets?month=2025-06')).body);
    expect(res.targets).toHaveLength(4);
    const elapsed = res.elapsedShare;

    const team = res.rows.find((r) => r.userid === null && r.metric === 'new_customers')!;
    expect(team.target).toBe(40);
    expect(team.completion).toBe(Math.round((team.actual! / 40) * 10_000) / 10_000);
    expect(team.projected).toBe(Math.round((team.actual! / elapsed) * 10_000) / 10_000);
    expect(team.onPace).toBe(team.projected! >= 40);

    const churn = res.rows.find((r) => r.userid === null && r.metric === 'monthly_churn_rate')!;
    expect(churn.completion).toBe(Math.round(Math.max(0, 2 - churn.actual! / 0.05) * 10_000) / 10_000);

    // ¥1,000,000 of GMV is out of reach: zhangsan is a laggard on GMV
    const gmv = res.rows.find((r) => r.userid === 'zhangsan' && r.metric === 'gmv')!;
    expect(gmv).toMatchObject({ target: 100_000_000, laggard: true, onPace: false });
    expect(res.laggards.find((l) => l.userid === 'zhangsan')?.metrics).toContain('gmv');
    // rows without a target carry actuals only
    expect(res.rows.find((r) => r.userid === 'wangwu' && r.metric === 'gmv')).toMatchObject({
      target: null,
      completion: null,
      laggard: false,
    });

    // a second PUT replaces the set
    await call('PUT', '/api/targets', {
      month: '2025-06',
      targets: [{ scope: 'team', metric: 'gmv', value: 500_000 }],
    });
    const after = targetsResponseSchema.parse((await call('GET', '/api/targets?month=2025-06')).body);
    expect(after.targets).toEqual([{ scope: 'team', userid: null, metric: 'gmv', value: 500_000 }]);
    expect(after.laggards).toEqual([]);
    // other months are untouched and empty
    expect(targetsResponseSchema.parse((await call('GET', '/api/targets?month=2025-07')).body)).toMatchObject(
      {
        targets: [],
        elapsedShare: 0,
      },
    );
    expect((await call('GET', '/api/targets?month=2025-6')).status).toBe(400);
  });
});
