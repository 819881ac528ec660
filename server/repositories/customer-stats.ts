import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Activity } from '../services/customers/activity.js';
import { type CustomerThresholds, DAY_MS, RFM_BY_FLAGS } from '../services/customers/definitions.js';
import { activityValues } from './customer-activity.js';

/*
 * The SQL form of services/customers/definitions.ts: every statement here is set-based, for a
 * given list of customers (or everybody), and must agree with the reference functions there.
 * Each statement writes a customer row once: new facts and the derived values they imply together.
 */

export interface DerivedOptions {
  now: Date;
  thresholds: CustomerThresholds;
}

/** The columns the derived values depend on, as a `facts` relation must provide them. */
const FACT_COLUMNS = sql`external_userid, created_at, order_count, refund_count, total_spent_fen,
  last_order_at, last_interaction_at`;

/**
 * `facts` (one row per customer, with FACT_COLUMNS holding the values about to be stored) plus
 * lifecycle_stage, rfm_segment and intent_score computed from them. `ids` narrows the follow and
 * behaviour aggregates to the customers concerned.
 */
function withDerived(facts: RawBuilder<unknown>, o: DerivedOptions, ids: string[] | undefined) {
  const t = o.thresholds;
  const since = (days: number) => new Date(o.now.getTime() - days * DAY_MS);
  const only = ids ? sql`AND external_userid = ANY(${ids}::text[])` : sql``;
  return sql`
    SELECT f.*,
      CASE
        WHEN NOT coalesce(fr.followed, false) AND coalesce(fr.deleted_by_customer, false) THEN 'lost'
        WHEN f.order_count + f.refund_count = 0
          AND f.created_at > ${since(t.lifecycle.newDays)}::timestamptz THEN 'new'
        WHEN coalesce(f.last_interaction_at, f.created_at) > ${since(t.lifecycle.activeDays)}::timestamptz
          THEN 'active'
        WHEN coalesce(f.last_interaction_at, f.created_at) > ${since(t.lifecycle.churnRiskDays)}::timestamptz
          THEN 'silent'
        ELSE 'churn_risk'
      END AS lifecycle_stage,
      CASE WHEN f.order_count > 0 AND f.last_order_at IS NOT NULL THEN
        ${JSON.stringify(RFM_BY_FLAGS)}::jsonb ->> concat(
          (f.last_order_at > ${since(t.rfm.recencyDays)}::timestamptz)::int,
          (f.order_count >= ${t.rfm.frequencyOrders}::int)::int,
          (f.total_spent_fen >= ${t.rfm.monetaryFen}::bigint)::int)
      END AS rfm_segment,
      coalesce(i.score, 0) AS intent_score
    FROM (${facts}) f
    LEFT JOIN (
      SELECT external_userid,
        bool_or(status IN ('active', 'half')) AS followed,
        bool_or(status = 'deleted_by_customer') AS deleted_by_customer
      FROM follow_relations
      WHERE true ${only}
      GROUP BY external_userid
    ) fr ON fr.external_userid = f.external_userid
    LEFT JOIN (
      SELECT external_userid,
        round(sum(
          coalesce((${JSON.stringify(t.intent.weights)}::jsonb ->> kind)::float8, 0)
          * power(0.5, greatest(extract(epoch FROM ${o.now}::timestamptz - occurred_at), 0)
                       / ${t.intent.halfLifeDays * 86_400}::float8)
        )::numeric, 2)::float8 AS score
      FROM behavior_events
      WHERE occurred_at > ${since(t.intent.windowDays)}::timestamptz ${only}
      GROUP BY external_userid
    ) i ON i.external_userid = f.external_userid`;
}

const SET_DERIVED = (now: Date) => sql`
  lifecycle_stage = d.lifecycle_stage,
  rfm_segment = d.rfm_segment,
  intent_score = d.intent_score,
  intent_updated_at = ${now}::timestamptz,
  updated_at = now()`;

/**
 * Row-locks the customers in id order, just before their rows are rewritten: requests that
 * touch overlapping customers then queue there instead of deadlocking in the updates. NO KEY
 * UPDATE, because inserts referencing these customers hold KEY SHARE locks on them meanwhile.
 */
export async function lockCustomers(db: Db, externalUserids: readonly string[]): Promise<void> {
  if (externalUserids.length === 0) return;
  await sql`SELECT 1 FROM customers WHERE external_userid = ANY(${[...externalUserids]}::text[])
    ORDER BY external_userid FOR NO KEY UPDATE`.execute(db);
}

/** Order stats of a set of `orders` rows (amount_fen, status, paid_at), per external_userid. */
const ORDER_AGGREGATES = sql`
  coalesce(sum(amount_fen) FILTER (WHERE status = 'paid'), 0) AS total_spent_fen,
  count(*) FILTER (WHERE status = 'paid') AS order_count,
  count(*) FILTER (WHERE status = 'refunded') AS refund_count,
  coalesce(sum(amount_fen) FILTER (WHERE status = 'refunded'), 0) AS refunded_fen,
  min(paid_at) FILTER (WHERE status = 'paid') AS first_order_at,
  max(paid_at) FILTER (WHERE status = 'paid') AS last_order_at,
  max(paid_at) AS latest_order_at`;

/** Writes `facts` (FACT_COLUMNS plus refunded_fen and first_order_at) with the derived values. */
async function writeOrderFacts(db: Db, facts: RawBuilder<unknown>, ids: string[], o: DerivedOptions) {
  await sql`
    UPDATE customers c SET
      total_spent_fen = d.total_spent_fen,
      order_count = d.order_count,
      refund_count = d.refund_count,
      refunded_fen = d.refunded_fen,
      first_order_at = d.first_order_at,
      last_order_at = d.last_order_at,
      last_interaction_at = d.last_interaction_at,
      ${SET_DERIVED(o.now)}
    FROM (${withDerived(facts, o, ids)}) d
    WHERE c.external_userid = d.external_userid`.execute(db);
}

/** Last interaction moves forward to the newest order time, never past `now`. */
const lastInteraction = (o: DerivedOptions) =>
  sql`GREATEST(cu.last_interaction_at, LEAST(s.latest_order_at, ${o.now}::timestamptz))`;

/**
 * Recomputes order stats from the orders of exactly these customers, so status changes are
 * counted right, with the derived values they imply. Last interaction only moves forward, and
 * never past `now`. For customers whose stored orders changed; new orders are added to the
 * stats by `addNewOrders` without reading the others.
 */
export async function recomputeOrderStats(
  db: Db,
  externalUserids: readonly string[],
  o: DerivedOptions,
): Promise<void> {
  if (externalUserids.length === 0) return;
  const ids = [...externalUserids];
  const facts = sql`
    SELECT cu.external_userid, cu.created_at, s.order_count, s.refund_count, s.total_spent_fen,
      s.last_order_at, ${lastInteraction(o)} AS last_interaction_at, s.refunded_fen, s.first_order_at
    FROM customers cu
    JOIN (
      SELECT external_userid, ${ORDER_AGGREGATES}
      FROM orders
      WHERE external_userid = ANY(${ids}::text[])
      GROUP BY external_userid
    ) s ON s.external_userid = cu.external_userid`;
  await writeOrderFacts(db, facts, ids, o);
}

export interface NewOrderFacts {
  externalUserid: string;
  amountFen: number;
  status: string;
  paidAt: Date;
}

/**
 * Adds orders just inserted (stored for the first time, in this transaction) to their customers'
 * stats: sums and counts grow, first/last order and last interaction move outward, with the
 * derived values they imply. Reads no other orders, so its cost does not grow with a customer's
 * history. The customers must be locked (`lockCustomers`): the stored stats are read in this
 * statement's snapshot.
 */
export async function addNewOrders(
  db: Db,
  orders: readonly NewOrderFacts[],
  o: DerivedOptions,
): Promise<void> {
  if (orders.length === 0) return;
  const ids = [...new Set(orders.map((r) => r.externalUserid))];
  const facts = sql`
    SELECT cu.external_userid, cu.created_at,
      cu.order_count + s.order_count AS order_count,
      cu.refund_count + s.refund_count AS refund_count,
      cu.total_spent_fen + s.total_spent_fen AS total_spent_fen,
      GREATEST(cu.last_order_at, s.last_order_at) AS last_order_at,
      ${lastInteraction(o)} AS last_interaction_at,
      cu.refunded_fen + s.refunded_fen AS refunded_fen,
      LEAST(cu.first_order_at, s.first_order_at) AS first_order_at
    FROM (
      SELECT external_userid, ${ORDER_AGGREGATES}
      FROM unnest(
        ${orders.map((r) => r.externalUserid)}::text[],
        ${orders.map((r) => r.amountFen)}::bigint[],
        ${orders.map((r) => r.status)}::text[],
        ${orders.map((r) => r.paidAt.toISOString())}::timestamptz[]
      ) AS n(external_userid, amount_fen, status, paid_at)
      GROUP BY external_userid
    ) s
    JOIN customers cu ON cu.external_userid = s.external_userid`;
  await writeOrderFacts(db, facts, ids, o);
}

/**
 * Moves each customer's last interaction forward to the latest of the given times (capped at
 * `now`) and refreshes the derived values of every customer listed in `externalUserids` — with
 * `activity`, each listed customer's new per-day activity too (repositories/customer-activity.ts),
 * in the same row write.
 */
export async function recordInteractions(
  db: Db,
  externalUserids: readonly string[],
  touches: readonly { externalUserid: string; at: Date }[],
  o: DerivedOptions & { activity?: ReadonlyMap<string, Activity | null> },
): Promise<void> {
  if (externalUserids.length === 0) return;
  const ids = [...externalUserids];
  const cap = o.now.getTime();
  const given = o.activity;
  const activity = given
    ? {
        columns: sql`, a.activity_days, a.activity_counts, a.member_center_days`,
        join: sql`LEFT JOIN (${activityValues(
          ids,
          ids.map((id) => given.get(id) ?? null),
        )}) a ON a.external_userid = cu.external_userid`,
        set: sql`, activity_days = d.activity_days, activity_counts = d.activity_counts,
          member_center_days = d.member_center_days`,
        changed: sql`OR (c.activity_days, c.activity_counts, c.member_center_days)
          IS DISTINCT FROM (d.activity_days, d.activity_counts, d.member_center_days)`,
      }
    : { columns: sql``, join: sql``, set: sql``, changed: sql`` };
  const facts = sql`
    SELECT cu.external_userid, cu.created_at, cu.order_count, cu.refund_count,
      cu.total_spent_fen, cu.last_order_at, GREATEST(cu.last_interaction_at, v.at) AS last_interaction_at
      ${activity.columns}
    FROM customers cu
    LEFT JOIN (
      SELECT id, max(at) AS at
      FROM unnest(
        ${touches.map((t) => t.externalUserid)}::text[],
        ${touches.map((t) => new Date(Math.min(t.at.getTime(), cap)).toISOString())}::timestamptz[]
      ) AS u(id, at)
      GROUP BY id
    ) v ON v.id = cu.external_userid
    ${activity.join}
    WHERE cu.external_userid = ANY(${ids}::text[])`;
  await sql`
    UPDATE customers c SET last_interaction_at = d.last_interaction_at, ${SET_DERIVED(o.now)} ${activity.set}
    FROM (${withDerived(facts, o, ids)}) d
    WHERE c.external_userid = d.external_userid
      AND ((c.last_interaction_at, c.lifecycle_stage, c.rfm_segment, c.intent_score)
        IS DISTINCT FROM (d.last_interaction_at, d.lifecycle_stage, d.rfm_segment, d.intent_score)
        ${activity.changed})`.execute(db);
}

/**
 * Lifecycle stage, RFM segment and intent score for the given customers, or for everybody when
 * `externalUserids` is undefined — one statement either way. Rows whose values did not change are
 * not rewritten, so `intent_updated_at` is when the derived values last changed. Returns how many
 * customers changed.
 */
export async function refreshDerived(
  db: Db,
  o: DerivedOptions & { externalUserids?: readonly string[] },
): Promise<number> {
  const ids = o.externalUserids ? [...o.externalUserids] : undefined;
  if (ids?.length === 0) return 0;
  const facts = sql`SELECT ${FACT_COLUMNS} FROM customers
    ${ids ? sql`WHERE external_userid = ANY(${ids}::text[])` : sql``}`;
  const result = await sql`
    UPDATE customers c SET ${SET_DERIVED(o.now)}
    FROM (${withDerived(facts, o, ids)}) d
    WHERE c.external_userid = d.external_userid
      AND (c.lifecycle_stage, c.rfm_segment, c.intent_score)
        IS DISTINCT FROM (d.lifecycle_stage, d.rfm_segment, d.intent_score)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
