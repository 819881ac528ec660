import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { flaggedFilter } from './customer-flags.js';
import { tasksCreatedBetween } from './sop-tasks.js';

/*
 * The acquisition, target, customer and content report queries. Each figure is defined in
 * services/analytics/definitions.ts (ANALYTICS_DEFINITIONS); comments name the definition rather
 * than restate it. Instants: `from` inclusive, `toEnd` exclusive (Shanghai day starts).
 */

export interface Window {
  from: Date;
  toEnd: Date;
}

const days = (n: number) => sql`make_interval(days => ${n}::int)`;

// ---- channels ---------------------------------------------------------------------------------

export interface ChannelFiguresRow {
  state: string | null;
  added: number;
  customers: number;
  deleted_by_staff: number;
  deleted_by_customer: number;
  retention_eligible: number;
  retained: number;
  first_orders: number;
  revenue_fen: number;
}

/** ANALYTICS_DEFINITIONS.channels, per channel code (null: relations without one). */
export async function channelFigures(
  db: Db,
  w: Window & { asOf: Date; excludeFlagged: boolean; retentionDays: number; firstOrderDays: number },
): Promise<ChannelFiguresRow[]> {
  const { rows } = await sql<ChannelFiguresRow>`
    WITH cohort AS (
      SELECT fr.external_userid, nullif(fr.state, '') AS state, fr.added_at, fr.status, fr.deleted_at
      FROM follow_relations fr
      WHERE fr.added_at >= ${w.from}::timestamptz AND fr.added_at < ${w.toEnd}::timestamptz
        AND ${flaggedFilter(w.excludeFlagged, sql`fr.external_userid`)}
    ),
    rel AS (
      SELECT state, count(*)::int AS added,
        count(*) FILTER (WHERE status = 'deleted_by_staff')::int AS deleted_by_staff,
        count(*) FILTER (WHERE status = 'deleted_by_customer')::int AS deleted_by_customer,
        count(*) FILTER (WHERE added_at + ${days(w.retentionDays)} <= ${w.asOf}::timestamptz)::int AS retention_eligible,
        count(*) FILTER (WHERE added_at + ${days(w.retentionDays)} <= ${w.asOf}::timestamptz
          AND (deleted_at IS NULL OR deleted_at > added_at + ${days(w.retentionDays)}))::int AS retained
      FROM cohort GROUP BY state
    ),
    cust AS (
      SELECT state, external_userid, min(added_at) AS added_at FROM cohort GROUP BY state, external_userid
    ),
    cust_figures AS (
      SELECT c.state, count(*)::int AS customers,
        count(*) FILTER (WHERE fo.first_paid_at >= c.added_at
          AND fo.first_paid_at < c.added_at + ${days(w.firstOrderDays)})::int AS first_orders,
        coalesce(sum(rv.revenue_fen), 0)::bigint AS revenue_fen
      FROM cust c
      CROSS JOIN LATERAL (SELECT min(o.paid_at) AS first_paid_at FROM orders o
        WHERE o.external_userid = c.external_userid AND o.status = 'paid') fo
      CROSS JOIN LATERAL (SELECT sum(o.amount_fen) AS revenue_fen FROM orders o
        WHERE o.external_userid = c.external_userid AND o.status = 'paid' AND o.paid_at >= c.added_at) rv
      GROUP BY c.state
    )
    SELECT r.state, r.added, f.customers, r.deleted_by_staff, r.deleted_by_customer, r.retention_eligible,
      r.retained, f.first_orders, f.revenue_fen
    FROM rel r JOIN cust_figures f ON f.state IS NOT DISTINCT FROM r.state
    ORDER BY r.state NULLS LAST`.execute(db);
  return rows;
}

export interface ChannelAllocationRow {
  state: string;
  in_range: number;
  ever: number;
}

/** Relations added through each code in the range and ever, flagged or not (channels.costFen). */
export async function channelAdds(
  db: Db,
  states: readonly string[],
  w: Window,
): Promise<ChannelAllocationRow[]> {
  if (!states.length) return [];
  const { rows } = await sql<ChannelAllocationRow>`
    SELECT s.state,
      (SELECT count(*) FROM follow_relations fr WHERE fr.state = s.state
        AND fr.added_at >= ${w.from}::timestamptz AND fr.added_at < ${w.toEnd}::timestamptz)::int AS in_range,
      (SELECT count(*) FROM follow_relations fr WHERE fr.state = s.state)::int AS ever
    FROM unnest(${states}::text[]) AS s(state)`.execute(db);
  return rows;
}

// ---- targets ----------------------------------------------------------------------------------

export interface MonthActualsRow {
  /** null: the team */
  userid: string | null;
  added: number;
  retention_eligible: number;
  retained: number;
  cohort_customers: number;
  first_orders: number;
  gmv_fen: number;
  churn_base: number;
  churn_deleted: number;
  tasks_assigned: number;
  tasks_sent: number;
}

/** ANALYTICS_DEFINITIONS.targets figures for one month [start, end), measured up to asOf. */
export async function monthActuals(
  db: Db,
  m: {
    start: Date;
    end: Date;
    asOf: Date;
    excludeFlagged: boolean;
    retentionDays: number;
    firstOrderDays: number;
  },
): Promise<MonthActualsRow[]> {
  const start = sql`${m.start}::timestamptz`;
  const end = sql`${m.end}::timestamptz`;
  const asOf = sql`${m.asOf}::timestamptz`;
  const keep = (col: string) => flaggedFilter(m.excludeFlagged, sql.ref(col));
  const ret = days(m.retentionDays);
  const { rows } = await sql<MonthActualsRow>`
    WITH added AS (
      SELECT fr.userid, count(*)::int AS added,
        count(*) FILTER (WHERE fr.added_at + ${ret} <= ${asOf})::int AS retention_eligible,
        count(*) FILTER (WHERE fr.added_at + ${ret} <= ${asOf}
          AND (fr.deleted_at IS NULL OR fr.deleted_at > fr.added_at + ${ret}))::int AS retained
      FROM follow_relations fr
      WHERE fr.added_at >= ${start} AND fr.added_at < ${end} AND ${keep('fr.external_userid')}
      GROUP BY GROUPING SETS ((fr.userid), ())
    ),
    cohort AS (
      SELECT fr.userid, fr.external_userid, min(fr.added_at) AS added_at
      FROM follow_relations fr
      WHERE fr.added_at >= ${start} AND fr.added_at < ${end} AND ${keep('fr.external_userid')}
      GROUP BY GROUPING SETS ((fr.userid, fr.external_userid), (fr.external_userid))
    ),
    first_orders AS (
      SELECT c.userid, count(*)::int AS cohort_customers,
        count(*) FILTER (WHERE fo.first_paid_at >= c.added_at
          AND fo.first_paid_at < c.added_at + ${days(m.firstOrderDays)})::int AS first_orders
      FROM cohort c
      CROSS JOIN LATERAL (SELECT min(o.paid_at) AS first_paid_at FROM orders o
        WHERE o.external_userid = c.external_userid AND o.status = 'paid') fo
      GROUP BY c.userid
    ),
    gmv AS (
      SELECT NULL::text AS userid, coalesce(sum(o.amount_fen), 0)::bigint AS gmv_fen
      FROM orders o
      WHERE o.status = 'paid' AND o.paid_at >= ${start} AND o.paid_at < ${end} AND ${keep('o.external_userid')}
      UNION ALL
      SELECT fr.userid, sum(o.amount_fen)::bigint
      FROM orders o
      JOIN follow_relations fr ON fr.external_userid = o.external_userid
        AND fr.added_at <= o.paid_at AND (fr.deleted_at IS NULL OR fr.deleted_at > o.paid_at)
      WHERE o.status = 'paid' AND o.paid_at >= ${start} AND o.paid_at < ${end} AND ${keep('o.external_userid')}
      GROUP BY fr.userid
    ),
    churn AS (
      SELECT fr.userid,
        count(*) FILTER (WHERE fr.added_at < ${start} AND (fr.deleted_at IS NULL OR fr.deleted_at >= ${start}))::int AS churn_base,
        count(*) FILTER (WHERE fr.status = 'deleted_by_customer'
          AND fr.deleted_at >= ${start} AND fr.deleted_at < ${asOf})::int AS churn_deleted
      FROM follow_relations fr
      WHERE fr.added_at < ${end} AND (fr.deleted_at IS NULL OR fr.deleted_at >= ${start})
        AND ${keep('fr.external_userid')}
      GROUP BY GROUPING SETS ((fr.userid), ())
    ),
    tasks AS (
      SELECT t.userid, count(*)::int AS tasks_assigned,
        count(*) FILTER (WHERE t.sent_at IS NOT NULL)::int AS tasks_sent
      FROM sop_tasks t
      WHERE ${tasksCreatedBetween('t', start, end)} AND ${keep('t.external_userid')}
      GROUP BY GROUPING SETS ((t.userid), ())
    ),
    who AS (
      SELECT userid FROM added UNION SELECT userid FROM first_orders UNION SELECT userid FROM gmv
      UNION SELECT userid FROM churn UNION SELECT userid FROM tasks UNION SELECT NULL::text
    )
    SELECT w.userid,
      coalesce(a.added, 0) AS added, coalesce(a.retention_eligible, 0) AS retention_eligible,
      coalesce(a.retained, 0) AS retained,
      coalesce(f.cohort_customers, 0) AS cohort_customers, coalesce(f.first_orders, 0) AS first_orders,
      coalesce(g.gmv_fen, 0) AS gmv_fen,
      coalesce(c.churn_base, 0) AS churn_base, coalesce(c.churn_deleted, 0) AS churn_deleted,
      coalesce(t.tasks_assigned, 0) AS tasks_assigned, coalesce(t.tasks_sent, 0) AS tasks_sent
    FROM who w
    LEFT JOIN added a ON a.userid IS NOT DISTINCT FROM w.userid
    LEFT JOIN first_orders f ON f.userid IS NOT DISTINCT FROM w.userid
    LEFT JOIN gmv g ON g.userid IS NOT DISTINCT FROM w.userid
    LEFT JOIN churn c ON c.userid IS NOT DISTINCT FROM w.userid
    LEFT JOIN tasks t ON t.userid IS NOT DISTINCT FROM w.userid
    ORDER BY w.userid NULLS FIRST`.execute(db);
  return rows;
}

/** Staff a target table offers: active with contact permission or customers, or with targets in the month. */
export async function targetStaff(db: Db, month: string) {
  const { rows } = await sql<{ userid: string; name: string }>`
    SELECT st.userid, coalesce(nullif(st.name, ''), st.userid) AS name FROM staff st
    WHERE (st.active AND (st.has_contact_permission
        OR EXISTS (SELECT 1 FROM follow_relations fr WHERE fr.userid = st.userid)))
      OR EXISTS (SELECT 1 FROM targets t WHERE t.month = ${month} AND t.userid = st.userid)
    UNION
    SELECT t.userid, t.userid FROM targets t
    WHERE t.month = ${month} AND t.userid IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM staff st WHERE st.userid = t.userid)
    ORDER BY 1`.execute(db);
  return rows;
}

// ---- customers --------------------------------------------------------------------------------

export async function customerSnapshot(db: Db, excludeFlagged: boolean) {
  const { rows } = await sql<{ lifecycle_stage: string; rfm_segment: string | null; customers: number }>`
    SELECT cu.lifecycle_stage, cu.rfm_segment, count(*)::int AS customers
    FROM customers cu
    WHERE EXISTS (SELECT 1 FROM follow_relations fr WHERE fr.external_userid = cu.external_userid)
      AND ${flaggedFilter(excludeFlagged, sql`cu.external_userid`)}
    GROUP BY 1, 2`.execute(db);
  return rows;
}

export interface CustomerBucketRow {
  period: string;
  base: number;
  ordering_customers: number;
  buyers: number;
  first_buyers: number;
  orders: number;
  revenue_fen: number;
  repurchase_intervals: number;
  median_repurchase_days: number | null;
}

/** ANALYTICS_DEFINITIONS.customers per bucket [start, end). */
export async function customerBuckets(
  db: Db,
  buckets: ReadonlyArray<{ period: string; start: Date; end: Date }>,
  excludeFlagged: boolean,
): Promise<CustomerBucketRow[]> {
  if (!buckets.length) return [];
  const from = buckets[0]!.start;
  const toEnd = buckets[buckets.length - 1]!.end;
  const keep = (col: string) => flaggedFilter(excludeFlagged, sql.ref(col));
  const { rows } = await sql<CustomerBucketRow>`
    WITH b AS (
      SELECT * FROM unnest(${buckets.map((x) => x.period)}::text[],
        ${buckets.map((x) => x.start.toISOString())}::timestamptz[],
        ${buckets.map((x) => x.end.toISOString())}::timestamptz[]) AS b(period, start_at, end_at)
    ),
    paid AS (
      SELECT o.external_userid, o.amount_fen, o.paid_at,
        lag(o.paid_at) OVER (PARTITION BY o.external_userid ORDER BY o.paid_at, o.order_id) AS prev_paid_at,
        min(o.paid_at) OVER (PARTITION BY o.external_userid) AS first_paid_at
      FROM orders o
      WHERE o.status = 'paid' AND ${keep('o.external_userid')}
        AND o.external_userid IN (SELECT external_userid FROM orders
          WHERE status = 'paid' AND paid_at >= ${from}::timestamptz AND paid_at < ${toEnd}::timestamptz)
    )
    SELECT b.period,
      (SELECT count(DISTINCT fr.external_userid) FROM follow_relations fr
        WHERE fr.added_at < b.end_at AND (fr.deleted_at IS NULL OR fr.deleted_at >= b.start_at)
          AND ${keep('fr.external_userid')})::int AS base,
      (SELECT count(DISTINCT p.external_userid) FROM paid p
        WHERE p.paid_at >= b.start_at AND p.paid_at < b.end_at
          AND EXISTS (SELECT 1 FROM follow_relations fr WHERE fr.external_userid = p.external_userid
            AND fr.added_at < b.end_at AND (fr.deleted_at IS NULL OR fr.deleted_at >= b.start_at)))::int
        AS ordering_customers,
      x.buyers, x.first_buyers, x.orders, x.revenue_fen, x.repurchase_intervals, x.median_repurchase_days
    FROM b
    CROSS JOIN LATERAL (
      SELECT count(DISTINCT p.external_userid)::int AS buyers,
        count(DISTINCT p.external_userid) FILTER (WHERE p.first_paid_at >= b.start_at)::int AS first_buyers,
        count(*)::int AS orders,
        coalesce(sum(p.amount_fen), 0)::bigint AS revenue_fen,
        count(p.prev_paid_at)::int AS repurchase_intervals,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.paid_at - p.prev_paid_at) / 86400)
          FILTER (WHERE p.prev_paid_at IS NOT NULL) AS median_repurchase_days
      FROM paid p WHERE p.paid_at >= b.start_at AND p.paid_at < b.end_at
    ) x
    ORDER BY b.start_at`.execute(db);
  return rows;
}

// ---- content ----------------------------------------------------------------------------------

export async function quickReplyUsage(db: Db) {
  return db
    .selectFrom('quick_replies')
    .select(['id', 'title', 'group_name', 'kind', 'times_sent'])
    .orderBy('times_sent', 'desc')
    .orderBy('id')
    .execute();
}

export interface TemplateUsageRow {
  rule_id: number;
  rule_name: string;
  trigger: string;
  variant: number;
  template: string | null;
  sent: number;
  recipients: number;
  replied: number;
  ordered: number;
  engaged: number;
}

/** ANALYTICS_DEFINITIONS.content, per SOP rule and variant. */
export async function templateUsage(
  db: Db,
  w: Window & { excludeFlagged: boolean; replyHours: number; orderDays: number },
): Promise<TemplateUsageRow[]> {
  const { rows } = await sql<TemplateUsageRow>`
    SELECT t.rule_id, r.name AS rule_name, r.trigger, t.variant::int AS variant,
      r.variants -> t.variant::int ->> 'template' AS template,
      count(*)::int AS sent, count(DISTINCT t.external_userid)::int AS recipients,
      count(*) FILTER (WHERE x.replied)::int AS replied,
      count(*) FILTER (WHERE x.ordered)::int AS ordered,
      count(*) FILTER (WHERE x.replied OR x.ordered)::int AS engaged
    FROM sop_tasks t
    JOIN sop_rules r ON r.id = t.rule_id
    CROSS JOIN LATERAL (SELECT
      EXISTS (SELECT 1 FROM behavior_events e WHERE e.external_userid = t.external_userid
        AND e.occurred_at > t.sent_at
        AND e.occurred_at <= t.sent_at + make_interval(hours => ${w.replyHours}::int)) AS replied,
      EXISTS (SELECT 1 FROM orders o WHERE o.external_userid = t.external_userid AND o.status = 'paid'
        AND o.paid_at > t.sent_at AND o.paid_at <= t.sent_at + ${days(w.orderDays)}) AS ordered
    ) x
    WHERE t.sent_at >= ${w.from}::timestamptz AND t.sent_at < ${w.toEnd}::timestamptz
      AND ${flaggedFilter(w.excludeFlagged, sql`t.external_userid`)}
    GROUP BY t.rule_id, r.name, r.trigger, t.variant, r.variants
    ORDER BY t.rule_id, t.variant`.execute(db);
  return rows;
}
