import { sql } from 'kysely';
import { DAY_MS, HOUR_MS, shanghaiDay } from '../time.js';
import type { TriggerDefinition } from './index.js';

/**
 * 高意向: a customer who
 * - viewed products `productViews`+ times within `productViewHours`, or
 * - added to cart and placed no order (paid, later refunded or not) within `cartAbandonHours`, or
 * - was tagged `tagName` (a tag_added timeline entry, the tag still carried)
 * → an offer. window_key = the Asia/Shanghai day, with the rule's cooldown spacing offers.
 *
 * Event-driven: behaviour ingest and tagging enqueue a debounced evaluation of just those
 * customers, and a cart add a delayed one for when its window has passed. The scheduled scan is
 * the same query over the frontier of recent signals (`lookbackHours`), so a lost job loses nothing.
 */
const SCOPED_LOOKBACK_HOURS = 24;

export const highIntent: TriggerDefinition<'high_intent'> = {
  trigger: 'high_intent',
  // the occasion is the Asia/Shanghai day: today's answers are at most a day old
  answeredWithinMs: () => DAY_MS,
  candidates(p, { now, customers }) {
    const ago = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
    // evaluating given customers costs the same however far back it looks: a day, so a queue
    // backlog never lets a cart add or a tag slip past its window
    const lookback = customers ? Math.max(p.lookbackHours, SCOPED_LOOKBACK_HOURS) : p.lookbackHours;
    const viewsSince = ago(p.productViewHours);
    const cartBefore = ago(p.cartAbandonHours);
    const cartSince = new Date(cartBefore.getTime() - lookback * HOUR_MS);
    const recentSince = ago(lookback);
    const frontier = customers
      ? sql`SELECT DISTINCT unnest(${customers}::text[]) AS external_userid`
      : sql`
        SELECT external_userid FROM behavior_events
        WHERE kind = 'product_view' AND occurred_at > ${recentSince}::timestamptz AND occurred_at <= ${now}::timestamptz
        UNION
        SELECT external_userid FROM behavior_events
        WHERE kind = 'cart_add' AND occurred_at > ${cartSince}::timestamptz AND occurred_at <= ${cartBefore}::timestamptz
        UNION
        SELECT external_userid FROM timeline
        WHERE kind = 'tag_added' AND occurred_at > ${recentSince}::timestamptz AND occurred_at <= ${now}::timestamptz
          AND data->>'tagName' = ${p.tagName}::text`;
    return sql`
      SELECT f.external_userid, ${`d:${shanghaiDay(now)}`}::text AS window_key,
        CASE WHEN s.tagged THEN 'tag' WHEN s.cart_abandoned THEN 'cart_abandoned' ELSE 'product_views' END AS reason
      FROM (${frontier}) f
      CROSS JOIN LATERAL (
        SELECT
          (SELECT count(*) FROM behavior_events e
            WHERE e.external_userid = f.external_userid AND e.kind = 'product_view'
              AND e.occurred_at > ${viewsSince}::timestamptz AND e.occurred_at <= ${now}::timestamptz
          ) >= ${p.productViews}::int AS viewed,
          EXISTS (SELECT 1 FROM behavior_events e
            WHERE e.external_userid = f.external_userid AND e.kind = 'cart_add'
              AND e.occurred_at > ${cartSince}::timestamptz AND e.occurred_at <= ${cartBefore}::timestamptz
              AND NOT EXISTS (SELECT 1 FROM orders o
                WHERE o.external_userid = e.external_userid AND o.status IN ('paid', 'refunded')
                  AND o.paid_at >= e.occurred_at)
          ) AS cart_abandoned,
          -- the window's tag_added entries, read once by kind and time (timeline_kind_time_idx):
          -- a customer's own timeline holds every order and behaviour event besides
          (f.external_userid IN (SELECT t.external_userid FROM timeline t
              WHERE t.kind = 'tag_added'
                AND t.occurred_at > ${recentSince}::timestamptz AND t.occurred_at <= ${now}::timestamptz
                AND t.data->>'tagName' = ${p.tagName}::text)
            AND EXISTS (SELECT 1 FROM customer_tags ct JOIN tags tg ON tg.tag_id = ct.tag_id
              WHERE ct.external_userid = f.external_userid AND tg.name = ${p.tagName}::text AND NOT tg.deleted)
          ) AS tagged
      ) s
      WHERE s.viewed OR s.cart_abandoned OR s.tagged`;
  },
};
