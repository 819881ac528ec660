import type { CouponInput, EventInput } from '../../../shared/ingest.js';
import { ACTOR_CUSTOMER, ACTOR_SYSTEM } from '../../../shared/timeline.js';
import type { TimelineInput } from '../../repositories/timeline.js';

/*
 * Timeline entries for ingested coupons and events (an order's are written with it, by
 * repositories/orders.ts). Each key names one occurrence (a coupon's issue or use, one event), so
 * re-sent records add nothing.
 */

export function couponEntries(coupon: CouponInput): TimelineInput[] {
  const base = { externalUserid: coupon.externalUserId };
  const data = { couponId: coupon.couponId, name: coupon.name, valueFen: coupon.valueFen };
  const entries: TimelineInput[] = [
    {
      ...base,
      kind: 'coupon_issued',
      actor: ACTOR_SYSTEM,
      occurredAt: coupon.issuedAt,
      data: { ...data, expiresAt: coupon.expiresAt.toISOString() },
      dedupeKey: `coupon_issued:${coupon.couponId}`,
    },
  ];
  if (coupon.usedAt) {
    entries.push({
      ...base,
      kind: 'coupon_used',
      actor: ACTOR_CUSTOMER,
      occurredAt: coupon.usedAt,
      data,
      dedupeKey: `coupon_used:${coupon.couponId}`,
    });
  }
  return entries;
}

export function eventEntry(event: EventInput): TimelineInput {
  return {
    externalUserid: event.externalUserId,
    kind: 'behavior',
    actor: ACTOR_CUSTOMER,
    occurredAt: event.occurredAt,
    data: { eventId: event.eventId, eventKind: event.kind, data: event.data ?? {} },
    dedupeKey: `behavior:${event.eventId}`,
  };
}

/** Writers insert in key order so concurrent requests never wait on each other in a cycle. */
export function byDedupeKey(a: TimelineInput, b: TimelineInput): number {
  return a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0;
}
