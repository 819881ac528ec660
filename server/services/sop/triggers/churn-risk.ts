import { sql } from 'kysely';
import { addDays, DAY_MS, shanghaiDay, shanghaiDayStart, SHANGHAI_OFFSET_SQL as TZ } from '../time.js';
import type { TriggerDefinition } from './index.js';

/**
 * 流失召回, two ways in (one task per customer and scan; the lapse wins when both apply):
 *
 * - lapse: a high-value customer — historic AOV (total spent / paid orders) ≥ `minAovFen` — whose
 *   last paid order is `noOrderDays` or more ago (watched for `watchDays` after that), and whose
 *   behaviour events of the last `interactionWindowDays` Asia/Shanghai days (today included) fell
 *   by ≥ `minDropPercent` against the days before, or who visited the member center on
 *   `memberCenterStreakDays` consecutive days (ending today or yesterday). window_key =
 *   `lapse:<day of the last order>`: one recall per lapse.
 * - silence: anyone whose last interaction is `silentDays` or more ago, found while that silence
 *   is at most `catchUpDays` past the line. window_key = `silent:<day of the last interaction>`:
 *   one recall per silence, not one every day for ever.
 *
 * Only customers with an active follow relation get a task (the owner join in the statement), so
 * customers who deleted their salesperson are left alone. Both ways are index-only range scans:
 * customers_high_value_idx (AOV, then last order) carries each customer's behaviour per day
 * (repositories/customer-activity.ts), so a lapse is decided from its index entry with array
 * arithmetic, and customers_last_interaction_idx finds the silences.
 * (Integer division: total / orders ≥ min exactly when total ≥ min × orders.)
 */
export const churnRisk: TriggerDefinition<'churn_risk'> = {
  trigger: 'churn_risk',
  // a silence is a candidate for `catchUpDays` after it crossed the line (the bulk of a daily
  // scan's repeats); a lapse is watched for a month, and its few repeats are looked up one by one
  answeredWithinMs: (p) => (p.catchUpDays + 1) * DAY_MS,
  candidates(p, { now, customers }) {
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const today = shanghaiDay(now);
    const day = (offset: number) => sql`${addDays(today, offset)}::date`;
    const w = p.interactionWindowDays;
    const streakDays = p.memberCenterStreakDays;
    // events up to the end of the day `offset` days from today, from the running totals per day
    const eventsThrough = (offset: number) =>
      sql`coalesce(c.activity_counts[width_bucket(${day(offset)}, c.activity_days)], 0)`;
    const recent = sql`(${eventsThrough(0)} - ${eventsThrough(-w)})`;
    const previous = sql`(${eventsThrough(-w)} - ${eventsThrough(-2 * w)})`;
    // a visit on each of the streak's days ending `end` days from today: as many distinct visit
    // days in (end - streakDays, end] as the streak is long
    const visitedThrough = (end: number) =>
      sql`width_bucket(${day(end)}, c.member_center_days)
        - width_bucket(${day(end - streakDays)}, c.member_center_days) = ${streakDays}::int`;
    const streakSince = shanghaiDayStart(addDays(today, -streakDays));
    const previousSince = shanghaiDayStart(addDays(today, 1 - 2 * w));
    const watchedSince = streakDays > 0 && streakSince < previousSince ? streakSince : previousSince;
    const only = customers ? sql`AND c.external_userid = ANY(${customers}::text[])` : sql``;

    const dropped = sql`(${previous} > 0 AND ${recent} * 100 <= ${previous} * ${100 - p.minDropPercent}::int)`;
    const streak =
      streakDays > 0
        ? sql`(c.last_interaction_at >= ${streakSince}::timestamptz
            AND coalesce(${visitedThrough(0)} OR ${visitedThrough(-1)}, false))`
        : sql`false`;

    // the lapse wins when both apply: an anti-join against the few lapses, not a sort of the lot
    return sql`
      WITH lapse AS (
        SELECT c.external_userid,
          'lapse:' || to_char(c.last_order_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS window_key,
          CASE WHEN ${dropped} THEN 'interaction_drop' ELSE 'member_center_streak' END AS reason
        FROM customers c
        WHERE c.order_count > 0
          AND c.total_spent_fen / c.order_count >= ${p.minAovFen}::bigint
          AND c.last_order_at <= ${ago(p.noOrderDays)}::timestamptz
          AND c.last_order_at > ${ago(p.noOrderDays + p.watchDays)}::timestamptz
          -- both ways need an interaction inside their windows
          AND c.last_interaction_at >= ${watchedSince}::timestamptz
          AND (${dropped} OR ${streak})
          ${only}
      )
      SELECT external_userid, window_key, reason FROM lapse
      UNION ALL
      SELECT c.external_userid,
        'silent:' || to_char(c.last_interaction_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS window_key,
        'silent' AS reason
      FROM customers c
      WHERE c.last_interaction_at <= ${ago(p.silentDays)}::timestamptz
        AND c.last_interaction_at > ${ago(p.silentDays + p.catchUpDays)}::timestamptz
        ${only}
        AND NOT EXISTS (SELECT 1 FROM lapse l WHERE l.external_userid = c.external_userid)`;
  },
};
