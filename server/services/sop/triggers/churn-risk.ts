import { sql } from 'kysely';
import { addDays, DAY_MS, shanghaiDay, shanghaiDayStart } from '../time.js';
import type { TriggerDefinition } from './index.js';

/**
 * Shanghai wall time by its fixed offset (see ../time.ts): the same days as the named zone, at a
 * third of the cost per row — this scan formats a day for thousands of rows.
 */
const TZ = sql`INTERVAL '+08:00'`;

/**
 * 流失召回, two ways in (one task per customer and scan; the lapse wins when both apply):
 *
 * - lapse: a high-value customer — historic AOV (total spent / paid orders) ≥ `minAovFen` — whose
 *   last paid order is `noOrderDays` or more ago (watched for `watchDays` after that), and whose
 *   behaviour events in the last `interactionWindowDays` fell by ≥ `minDropPercent` against the
 *   window before, or who visited the member center on `memberCenterStreakDays` consecutive
 *   Asia/Shanghai days (ending today or yesterday). window_key = `lapse:<day of the last order>`:
 *   one recall per lapse.
 * - silence: anyone whose last interaction is `silentDays` or more ago, found while that silence
 *   is at most `catchUpDays` past the line. window_key = `silent:<day of the last interaction>`:
 *   one recall per silence, not one every day for ever.
 *
 * Only customers with an active follow relation get a task (the owner join in the statement), so
 * customers who deleted their salesperson are left alone. Both ways are index-only range scans
 * (customers_high_value_idx on AOV then last order, customers_last_interaction_idx); the
 * per-customer checks then read behavior_events_customer_time_idx for the few customers in range.
 * (Integer division: total / orders ≥ min exactly when total ≥ min × orders.)
 */
export const churnRisk: TriggerDefinition<'churn_risk'> = {
  trigger: 'churn_risk',
  // a silence is a candidate for `catchUpDays` after it crossed the line (the bulk of a daily
  // scan's repeats); a lapse is watched for a month, and its few repeats are looked up one by one
  answeredWithinMs: (p) => (p.catchUpDays + 1) * DAY_MS,
  candidates(p, { now, customers }) {
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const lapseBefore = ago(p.noOrderDays);
    const lapseSince = ago(p.noOrderDays + p.watchDays);
    const recentSince = ago(p.interactionWindowDays);
    const previousSince = ago(2 * p.interactionWindowDays);
    const silentBefore = ago(p.silentDays);
    const silentSince = ago(p.silentDays + p.catchUpDays);
    const today = shanghaiDay(now);
    const streakSince = shanghaiDayStart(addDays(today, -p.memberCenterStreakDays));
    const watchedSince =
      p.memberCenterStreakDays > 0 && streakSince < previousSince ? streakSince : previousSince;
    const only = customers ? sql`AND c.external_userid = ANY(${customers}::text[])` : sql``;

    const dropped = sql`(
      SELECT count(*) FILTER (WHERE e.occurred_at <= ${recentSince}::timestamptz) > 0
        AND count(*) FILTER (WHERE e.occurred_at > ${recentSince}::timestamptz) * 100
          <= count(*) FILTER (WHERE e.occurred_at <= ${recentSince}::timestamptz) * ${100 - p.minDropPercent}::int
      FROM behavior_events e
      WHERE e.external_userid = c.external_userid
        AND e.occurred_at > ${previousSince}::timestamptz AND e.occurred_at <= ${now}::timestamptz)`;
    // consecutive days, from one aggregate: bit k of the mask is a visit k days before today; the
    // window holds days 0…N, so a run of N ends today (bits 0…N-1) or yesterday (bits 1…N)
    const run = (1n << BigInt(p.memberCenterStreakDays)) - 1n;
    const streak =
      p.memberCenterStreakDays > 0
        ? sql`(c.last_interaction_at > ${streakSince}::timestamptz AND (
            SELECT v.mask & ${sql.lit(run)}::bigint = ${sql.lit(run)}::bigint
              OR (v.mask >> 1) & ${sql.lit(run)}::bigint = ${sql.lit(run)}::bigint
            FROM (SELECT bit_or(1::bigint << (${today}::date - (e.occurred_at AT TIME ZONE ${TZ})::date)) AS mask
              FROM behavior_events e
              WHERE e.external_userid = c.external_userid AND e.kind = 'member_center_visit'
                AND e.occurred_at > ${streakSince}::timestamptz AND e.occurred_at <= ${now}::timestamptz) v))`
        : sql`false`;

    // the lapse wins when both apply: an anti-join against the few lapses, not a sort of the lot
    return sql`
      WITH lapse AS (
        SELECT c.external_userid,
          'lapse:' || to_char(c.last_order_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS window_key,
          CASE WHEN s.dropped THEN 'interaction_drop' ELSE 'member_center_streak' END AS reason
        FROM customers c
        -- OFFSET 0 keeps the count from being inlined twice (select list and filter)
        CROSS JOIN LATERAL (
          SELECT c.last_interaction_at > ${previousSince}::timestamptz AND ${dropped} AS dropped OFFSET 0
        ) s
        WHERE c.order_count > 0
          AND c.total_spent_fen / c.order_count >= ${p.minAovFen}::bigint
          AND c.last_order_at <= ${lapseBefore}::timestamptz AND c.last_order_at > ${lapseSince}::timestamptz
          -- both ways need an interaction inside their windows: most lapsed customers are dropped
          -- here, off the index entry, before any look at their behaviour
          AND c.last_interaction_at > ${watchedSince}::timestamptz
          AND (s.dropped OR ${streak})
          ${only}
      )
      SELECT external_userid, window_key, reason FROM lapse
      UNION ALL
      SELECT c.external_userid,
        'silent:' || to_char(c.last_interaction_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS window_key,
        'silent' AS reason
      FROM customers c
      WHERE c.last_interaction_at <= ${silentBefore}::timestamptz
        AND c.last_interaction_at > ${silentSince}::timestamptz
        ${only}
        AND NOT EXISTS (SELECT 1 FROM lapse l WHERE l.external_userid = c.external_userid)`;
  },
};
