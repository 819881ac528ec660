import { sql } from 'kysely';
import { ACTIVITY_HORIZON_DAYS } from '../../shared/sop.js';
import type { Db } from '../db/database.js';

/** Shanghai wall time by its fixed offset (services/sop/time.ts): UTC+8, no daylight saving. */
const TZ = sql`INTERVAL '+08:00'`;

/**
 * Each customer's behaviour per Asia/Shanghai day, kept on the customer row so the daily churn scan
 * reads it from customers_high_value_idx instead of aggregating events customer by customer:
 *
 * - `activity_days`: the days with events, ascending, over the `ACTIVITY_HORIZON_DAYS` before the
 *   newest event (never counted past `now`);
 * - `activity_counts`: the running total of events up to and including each of those days, so
 *   the events on days in (a, b] are `counts[width_bucket(b, days)] - counts[width_bucket(a, days)]`
 *   (a missing subscript is no events) — plain array arithmetic, no per-row subquery;
 * - `member_center_days`: the days with a member-center visit, ascending (NULL when none).
 *
 * Recomputed from the stored events, so redelivered and out-of-order events need no care: for the
 * customers given (whose events just changed), or for everybody (migration, benchmark seed).
 */
export async function refreshActivity(
  db: Db,
  o: { now: Date; externalUserids?: readonly string[] },
): Promise<void> {
  const ids = o.externalUserids ? [...new Set(o.externalUserids)] : undefined;
  if (ids?.length === 0) return;
  const latest = ids
    ? sql`SELECT u.id AS external_userid, l.at FROM unnest(${ids}::text[]) u(id)
        CROSS JOIN LATERAL (SELECT occurred_at AS at FROM behavior_events
          WHERE external_userid = u.id ORDER BY occurred_at DESC LIMIT 1) l`
    : sql`SELECT external_userid, max(occurred_at) AS at FROM behavior_events GROUP BY external_userid`;
  await sql`
    WITH latest AS (${latest}),
    daily AS (
      SELECT e.external_userid, (e.occurred_at AT TIME ZONE ${TZ})::date AS day, count(*)::int AS n,
        bool_or(e.kind = 'member_center_visit') AS member_center
      FROM latest l
      JOIN behavior_events e ON e.external_userid = l.external_userid
        AND e.occurred_at > LEAST(l.at, ${o.now}::timestamptz) - ${ACTIVITY_HORIZON_DAYS}::int * INTERVAL '1 day'
      GROUP BY 1, 2
    ),
    summary AS (
      SELECT external_userid, array_agg(day ORDER BY day) AS days, array_agg(total ORDER BY day) AS counts,
        array_agg(day ORDER BY day) FILTER (WHERE member_center) AS member_center_days
      FROM (SELECT d.*, sum(n) OVER (PARTITION BY external_userid ORDER BY day)::int AS total FROM daily d) x
      GROUP BY external_userid
    )
    UPDATE customers c
    SET activity_days = s.days, activity_counts = s.counts, member_center_days = s.member_center_days
    FROM summary s
    WHERE c.external_userid = s.external_userid
      AND (c.activity_days, c.activity_counts, c.member_center_days)
        IS DISTINCT FROM (s.days, s.counts, s.member_center_days)`.execute(db);
}
