import { type RawBuilder, sql } from 'kysely';
import { ACTIVITY_HORIZON_DAYS } from '../../shared/sop.js';
import type { Db } from '../db/database.js';

/** Shanghai wall time by its fixed offset (services/sop/time.ts): UTC+8, no daylight saving. */
const TZ = sql`INTERVAL '+08:00'`;

export interface ActivityScope {
  now: Date;
  /** the customers whose events changed; everybody when undefined */
  externalUserids?: readonly string[];
}

/**
 * Each customer's behaviour per Asia/Shanghai day, kept on the customer row so the daily churn scan
 * reads it from customers_high_value_idx instead of aggregating events customer by customer. One
 * row per customer with events in the `ACTIVITY_HORIZON_DAYS` before `now` (later ones included):
 *
 * - `activity_days`: the days with events, ascending;
 * - `activity_counts`: the running total of events up to and including each of those days, so the
 *   events on days in (a, b] are `counts[width_bucket(b, days)] - counts[width_bucket(a, days)]`
 *   (a missing subscript is no events) — plain array arithmetic, no per-row subquery;
 * - `member_center_days`: the days with a member-center visit, ascending (NULL when none).
 *
 * Computed from the stored events, so redelivered and late events need no care. A scan on a later
 * day only looks further back from a later day, so what fell out of the horizon is never needed.
 */
export function activitySummary(o: ActivityScope): RawBuilder<unknown> {
  const ids = o.externalUserids ? [...o.externalUserids] : undefined;
  const events = ids
    ? sql`unnest(${ids}::text[]) u(id) JOIN behavior_events e ON e.external_userid = u.id`
    : sql`behavior_events e`;
  return sql`
    SELECT external_userid, array_agg(day ORDER BY day) AS activity_days,
      array_agg(total ORDER BY day) AS activity_counts,
      array_agg(day ORDER BY day) FILTER (WHERE member_center) AS member_center_days
    FROM (
      SELECT d.*, sum(n) OVER (PARTITION BY external_userid ORDER BY day)::int AS total
      FROM (
        SELECT e.external_userid, (e.occurred_at AT TIME ZONE ${TZ})::date AS day, count(*)::int AS n,
          bool_or(e.kind = 'member_center_visit') AS member_center
        FROM ${events}
        WHERE e.occurred_at > ${o.now}::timestamptz - ${ACTIVITY_HORIZON_DAYS}::int * INTERVAL '1 day'
        GROUP BY 1, 2
      ) d
    ) x
    GROUP BY external_userid`;
}

/**
 * Rewrites the activity of the given customers (or everybody: migration, benchmark seed) where it
 * changed; customers without events in the horizon get none. Ingest folds the same summary into
 * its customer update instead (repositories/customer-stats.ts, recordInteractions).
 */
export async function refreshActivity(db: Db, o: ActivityScope): Promise<void> {
  if (o.externalUserids?.length === 0) return;
  const only = o.externalUserids
    ? sql`AND c.external_userid = ANY(${[...o.externalUserids]}::text[])`
    : sql``;
  await sql`
    UPDATE customers c
    SET activity_days = a.activity_days, activity_counts = a.activity_counts,
      member_center_days = a.member_center_days
    FROM customers target LEFT JOIN (${activitySummary(o)}) a ON a.external_userid = target.external_userid
    WHERE c.external_userid = target.external_userid ${only}
      AND (c.activity_days, c.activity_counts, c.member_center_days)
        IS DISTINCT FROM (a.activity_days, a.activity_counts, a.member_center_days)`.execute(db);
}
