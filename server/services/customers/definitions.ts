import { z } from 'zod';
import type { LifecycleStage, OrderStatus } from '../../db/schema.js';

/**
 * What the product knows about a customer, defined once. Reports, the README and the SQL in
 * repositories/customer-stats.ts use these words; the functions here are the reference the SQL is
 * tested against (test/integration/ingest.test.ts).
 *
 * Stats (kept current on every order change, per customer):
 * - total spent = sum of amounts of orders whose status is `paid` (refunded and cancelled excluded)
 * - order count = number of `paid` orders; AOV = total spent / order count (0 without orders)
 * - refund count / refunded = number and sum of `refunded` orders
 * - first / last order = earliest / latest `paidAt` of `paid` orders
 * - last interaction = the latest of what was already known (contact events, …) and the newest
 *   inbound order (`paidAt`, any status), behaviour event or coupon use — never later than now
 *
 * Lifecycle stage, first match wins ("within N days" means less than N days ago):
 * - lost: no follow relation is active (or half) and at least one was deleted by the customer
 * - new: no paid or refunded order yet and first seen within `newDays`
 * - active: last interaction (or, lacking one, first seen) within `activeDays`
 * - silent: … within `churnRiskDays`
 * - churn_risk: otherwise
 *
 * RFM segment (customers with at least one paid order; null otherwise): three high/low flags —
 * R: last order within `recencyDays`; F: order count ≥ `frequencyOrders`; M: total spent ≥
 * `monetaryFen` — named as the eight classic groups (重要价值客户 … 一般挽留客户).
 *
 * Intent score: each behaviour event of the last `windowDays` adds its kind's weight, halved for
 * every `halfLifeDays` of age (events dated in the future count as now), rounded to 2 decimals.
 */

export const DAY_MS = 86_400_000;
export const CUSTOMER_THRESHOLDS_SETTING = 'customer.thresholds';

const positiveDays = z.number().positive();

export const customerThresholdsSchema = z.object({
  lifecycle: z
    .object({
      newDays: positiveDays.default(7),
      activeDays: positiveDays.default(30),
      churnRiskDays: positiveDays.default(90),
    })
    .prefault({}),
  rfm: z
    .object({
      recencyDays: positiveDays.default(30),
      frequencyOrders: z.number().int().positive().default(3),
      /** ¥1,000 */
      monetaryFen: z.number().int().nonnegative().default(100_000),
    })
    .prefault({}),
  intent: z
    .object({
      halfLifeDays: positiveDays.default(3),
      windowDays: positiveDays.default(30),
      /** per event kind; kinds not listed weigh 0 */
      weights: z.record(z.string(), z.number().nonnegative()).default({
        product_view: 1,
        cart_add: 3,
        checkout_start: 4,
        order_page_view: 2,
        member_center_visit: 1,
        coupon_view: 1,
        search: 1,
        share: 1,
        live_view: 1,
      }),
    })
    .prefault({}),
});
export type CustomerThresholds = z.output<typeof customerThresholdsSchema>;

export const DEFAULT_CUSTOMER_THRESHOLDS: CustomerThresholds = customerThresholdsSchema.parse({});

export const RFM_SEGMENTS = {
  important_value: '重要价值客户',
  important_develop: '重要发展客户',
  important_retain: '重要保持客户',
  important_winback: '重要挽留客户',
  general_value: '一般价值客户',
  general_develop: '一般发展客户',
  general_retain: '一般保持客户',
  general_winback: '一般挽留客户',
} as const;
export type RfmSegment = keyof typeof RFM_SEGMENTS;

/** Segment by (R, F, M) flags, in that order. */
export const RFM_BY_FLAGS: Record<`${0 | 1}${0 | 1}${0 | 1}`, RfmSegment> = {
  '111': 'important_value',
  '101': 'important_develop',
  '011': 'important_retain',
  '001': 'important_winback',
  '110': 'general_value',
  '100': 'general_develop',
  '010': 'general_retain',
  '000': 'general_winback',
};

export interface OrderFacts {
  amountFen: number;
  status: OrderStatus;
  paidAt: Date;
}

export interface OrderStats {
  totalSpentFen: number;
  orderCount: number;
  refundCount: number;
  refundedFen: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
}

export function orderStats(orders: readonly OrderFacts[]): OrderStats {
  const paid = orders.filter((o) => o.status === 'paid');
  const refunded = orders.filter((o) => o.status === 'refunded');
  const times = paid.map((o) => o.paidAt.getTime());
  return {
    totalSpentFen: paid.reduce((sum, o) => sum + o.amountFen, 0),
    orderCount: paid.length,
    refundCount: refunded.length,
    refundedFen: refunded.reduce((sum, o) => sum + o.amountFen, 0),
    firstOrderAt: times.length ? new Date(Math.min(...times)) : null,
    lastOrderAt: times.length ? new Date(Math.max(...times)) : null,
  };
}

export function averageOrderValueFen(totalSpentFen: number, orderCount: number): number {
  return orderCount > 0 ? Math.round(totalSpentFen / orderCount) : 0;
}

export interface LifecycleFacts {
  /** when the customer row was first created (contact added or first record ingested) */
  firstSeenAt: Date;
  lastInteractionAt: Date | null;
  orderCount: number;
  refundCount: number;
  followStatuses: readonly string[];
}

const within = (at: Date, days: number, now: Date) => now.getTime() - at.getTime() < days * DAY_MS;

export function lifecycleStage(c: LifecycleFacts, now: Date, t: CustomerThresholds): LifecycleStage {
  const followed = c.followStatuses.some((s) => s === 'active' || s === 'half');
  if (!followed && c.followStatuses.includes('deleted_by_customer')) return 'lost';
  if (c.orderCount + c.refundCount === 0 && within(c.firstSeenAt, t.lifecycle.newDays, now)) return 'new';
  const lastSign = c.lastInteractionAt ?? c.firstSeenAt;
  if (within(lastSign, t.lifecycle.activeDays, now)) return 'active';
  if (within(lastSign, t.lifecycle.churnRiskDays, now)) return 'silent';
  return 'churn_risk';
}

export function rfmSegment(
  c: { lastOrderAt: Date | null; orderCount: number; totalSpentFen: number },
  now: Date,
  t: CustomerThresholds,
): RfmSegment | null {
  if (c.orderCount === 0 || !c.lastOrderAt) return null;
  const r = within(c.lastOrderAt, t.rfm.recencyDays, now) ? 1 : 0;
  const f = c.orderCount >= t.rfm.frequencyOrders ? 1 : 0;
  const m = c.totalSpentFen >= t.rfm.monetaryFen ? 1 : 0;
  return RFM_BY_FLAGS[`${r}${f}${m}`];
}

export function intentScore(
  events: readonly { kind: string; occurredAt: Date }[],
  now: Date,
  t: CustomerThresholds,
): number {
  const { halfLifeDays, windowDays, weights } = t.intent;
  let score = 0;
  for (const e of events) {
    const ageMs = now.getTime() - e.occurredAt.getTime();
    if (ageMs >= windowDays * DAY_MS) continue;
    score += (weights[e.kind] ?? 0) * 0.5 ** (Math.max(ageMs, 0) / (halfLifeDays * DAY_MS));
  }
  return Math.round(score * 100) / 100;
}
