import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.js';
import { type Activity, activityHorizonStart } from '../services/customers/activity.js';
import { SHANGHAI_OFFSET_SQL as TZ } from '../services/sop/time.js';

/*
 * Each customer's behaviour per Asia/Shanghai day on the customer row (services/customers/activity.ts
 * defines it), so the daily churn scan decides a high-value lapse from customers_high_value_idx
 * instead of aggregating each customer's events:
 *
 * - `activity_days`: the days with events in the horizon, ascending;
 * - `activity_counts`: the running total of events through each of those days, so the events on
 *   days in (a, b] are `counts[width_bucket(b, days)] - counts[width_bucket(a, days)]` (a missing
 *   subscript is no events) — plain array arithmetic, no per-row subquery;
 * - `member_center_days`: the days with a member-center visit, ascending (NULL when none).
 *
 * Ingest adds new events to the stored summary (mergeActivity, written by recordInteractions);
 * this file recomputes it from the stored events (migration, benchmark seed, tests).
 */

/** One row per customer with events in the horizon at `now`: external_userid and the three columns. */
function activitySummary(now: Date, externalUserids?: readonly string[]): RawBuilder<unknown> {
  const customers = externalUserids
    ? sql`unnest(${[...externalUserids]}::text[]) WITH ORDINALITY`
    : sql`(SELECT external_userid, row_number() OVER () FROM customers)`;
  // Each customer's events are one range of behavior_events_customer_time_idx (OFFSET 0 keeps it a
  // per-customer lookup); then ONE sort of all the days, by the customer's number and the day, and
  // window aggregates that read each customer's days in that order.
  return sql`
    SELECT external_userid, activity_days, activity_counts, member_center_days
    FROM (
      SELECT external_userid,
        array_agg(day) OVER whole AS activity_days,
        array_agg(total) OVER whole AS activity_counts,
        array_agg(day) FILTER (WHERE member_center) OVER whole AS member_center_days,
        lead(day) OVER whole IS NULL AS newest
      FROM (
        SELECT external_userid, k, day, member_center, sum(n) OVER (PARTITION BY k ORDER BY day)::int AS total
        FROM (
          SELECT u.id AS external_userid, u.k, (e.occurred_at AT TIME ZONE ${TZ})::date AS day,
            count(*)::int AS n, bool_or(e.kind = 'member_center_visit') AS member_center
          FROM ${customers} u(id, k)
          CROSS JOIN LATERAL (
            SELECT occurred_at, kind FROM behavior_events
            WHERE external_userid = u.id AND occurred_at >= ${activityHorizonStart(now)}::timestamptz OFFSET 0
          ) e
          GROUP BY u.k, u.id, 3
        ) d
      ) x
      WINDOW whole AS (PARTITION BY k ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) y
    WHERE newest`;
}

/** Recomputes the activity of the given customers, or of everybody, from their stored events. */
export async function refreshActivity(db: Db, o: { now: Date; externalUserids?: readonly string[] }) {
  if (o.externalUserids?.length === 0) return;
  const only = o.externalUserids
    ? sql`AND target.external_userid = ANY(${[...o.externalUserids]}::text[])`
    : sql``;
  await sql`
    UPDATE customers c
    SET activity_days = a.activity_days, activity_counts = a.activity_counts,
      member_center_days = a.member_center_days
    FROM customers target
    LEFT JOIN (${activitySummary(o.now, o.externalUserids)}) a ON a.external_userid = target.external_userid
    WHERE c.external_userid = target.external_userid ${only}
      AND (c.activity_days, c.activity_counts, c.member_center_days)
        IS DISTINCT FROM (a.activity_days, a.activity_counts, a.member_center_days)`.execute(db);
}

/** The stored activity of these customers (absent: none). */
export async function readActivity(
  db: Db,
  externalUserids: readonly string[],
): Promise<Map<string, Activity>> {
  const { rows } = await sql<{ id: string; days: string[]; counts: number[]; visits: string[] | null }>`
    SELECT external_userid AS id, activity_days::text[] AS days, activity_counts AS counts,
      member_center_days::text[] AS visits
    FROM customers
    WHERE external_userid = ANY(${[...externalUserids]}::text[]) AND activity_days IS NOT NULL`.execute(db);
  return new Map(
    rows.map((r) => [r.id, { days: r.days, counts: r.counts, memberCenterDays: r.visits ?? [] }]),
  );
}

/**
 * `activity` (one per customer in `ids`, null for none) as a relation `a` of external_userid and
 * the three columns, for an UPDATE to join: each array travels as its literal.
 */
export function activityValues(
  ids: readonly string[],
  activity: readonly (Activity | null)[],
): RawBuilder<unknown> {
  const literal = (values: readonly (string | number)[] | undefined) =>
    values?.length ? `{${values.join(',')}}` : null;
  return sql`
    SELECT id AS external_userid, days::date[] AS activity_days, counts::int[] AS activity_counts,
      visits::date[] AS member_center_days
    FROM unnest(${[...ids]}::text[], ${activity.map((a) => literal(a?.days))}::text[],
      ${activity.map((a) => literal(a?.counts))}::text[],
      ${activity.map((a) => literal(a?.memberCenterDays))}::text[]) AS v(id, days, counts, visits)`;
}
