import { sql } from 'kysely';
import { HOUR_MS } from '../time.js';
import type { TriggerDefinition } from './index.js';

/**
 * 优惠券到期提醒: every unused coupon expiring within `withinHours` → one reminder naming the
 * coupon and its expiry. window_key = coupon id: one reminder per coupon, however often it runs.
 * Served by coupons_unused_expiry_idx (expires_at) WHERE used_at IS NULL, which covers the
 * candidate columns; the coupon's name and value are read only for the tasks created.
 */
export const couponExpiry: TriggerDefinition<'coupon_expiry'> = {
  trigger: 'coupon_expiry',
  candidates(p, { now, customers }) {
    const until = new Date(now.getTime() + p.withinHours * HOUR_MS);
    return sql`
      SELECT cp.external_userid, cp.coupon_id AS window_key, 'coupon_expiring'::text AS reason
      FROM coupons cp
      WHERE cp.used_at IS NULL
        AND cp.expires_at > ${now}::timestamptz AND cp.expires_at <= ${until}::timestamptz
        ${customers ? sql`AND cp.external_userid = ANY(${customers}::text[])` : sql``}`;
  },
  // a coupon is a candidate from `withinHours` before its expiry: whoever answered it did so since
  answeredWithinMs: (p) => p.withinHours * HOUR_MS,
  details: sql`(SELECT cp.name AS coupon_name, cp.expires_at AS coupon_expires_at, cp.value_fen AS coupon_value_fen
    FROM coupons cp WHERE cp.coupon_id = r.window_key)`,
};
