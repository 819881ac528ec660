import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/infra/clock.js';
import {
  averageOrderValueFen,
  customerThresholdsSchema,
  DAY_MS,
  intentScore,
  type LifecycleFacts,
  lifecycleStage,
  orderStats,
  rfmSegment,
  DEFAULT_CUSTOMER_THRESHOLDS as t,
} from '../../server/services/customers/definitions.js';

const clock = fixedClock(new Date('2025-06-01T04:00:00Z'));
const now = clock.now();
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('order stats', () => {
  it('count paid orders only; refunds on their own; cancelled nowhere', () => {
    const stats = orderStats([
      { amountFen: 10_000, status: 'paid', paidAt: ago(3 * DAY_MS) },
      { amountFen: 5_000, status: 'paid', paidAt: ago(DAY_MS) },
      { amountFen: 7_000, status: 'refunded', paidAt: ago(0) },
      { amountFen: 9_000, status: 'cancelled', paidAt: ago(0) },
    ]);
    expect(stats).toEqual({
      totalSpentFen: 15_000,
      orderCount: 2,
      refundCount: 1,
      refundedFen: 7_000,
      firstOrderAt: ago(3 * DAY_MS),
      lastOrderAt: ago(DAY_MS),
    });
    expect(averageOrderValueFen(stats.totalSpentFen, stats.orderCount)).toBe(7_500);
    expect(averageOrderValueFen(10_001, 2)).toBe(5_001);
    expect(averageOrderValueFen(0, 0)).toBe(0);
    expect(orderStats([])).toMatchObject({ orderCount: 0, firstOrderAt: null, lastOrderAt: null });
  });
});

describe('lifecycle stage', () => {
  const base: LifecycleFacts = {
    firstSeenAt: ago(100 * DAY_MS),
    lastInteractionAt: null,
    orderCount: 1,
    refundCount: 0,
    followStatuses: ['active'],
  };
  const stage = (facts: Partial<LifecycleFacts>) => lifecycleStage({ ...base, ...facts }, clock.now(), t);

  it('is active under 30 days of silence, silent under 90, churn risk from 90', () => {
    expect(stage({ lastInteractionAt: ago(30 * DAY_MS - 1) })).toBe('active');
    expect(stage({ lastInteractionAt: ago(30 * DAY_MS) })).toBe('silent');
    expect(stage({ lastInteractionAt: ago(90 * DAY_MS - 1) })).toBe('silent');
    expect(stage({ lastInteractionAt: ago(90 * DAY_MS) })).toBe('churn_risk');
    // without any interaction, silence counts from when the customer was first seen
    expect(stage({ firstSeenAt: ago(29 * DAY_MS) })).toBe('active');
  });

  it('is new for 7 days while nothing was bought', () => {
    expect(stage({ orderCount: 0, firstSeenAt: ago(7 * DAY_MS - 1) })).toBe('new');
    expect(stage({ orderCount: 0, firstSeenAt: ago(7 * DAY_MS) })).toBe('active');
    expect(stage({ orderCount: 1, firstSeenAt: ago(DAY_MS) })).toBe('active');
    expect(stage({ orderCount: 0, refundCount: 1, firstSeenAt: ago(DAY_MS) })).toBe('active');
  });

  it('is lost once the customer deleted every salesperson still following', () => {
    expect(stage({ followStatuses: ['deleted_by_customer'], lastInteractionAt: ago(0) })).toBe('lost');
    expect(stage({ followStatuses: ['deleted_by_customer', 'deleted_by_staff'] })).toBe('lost');
    expect(stage({ followStatuses: ['deleted_by_customer', 'active'], lastInteractionAt: ago(0) })).toBe(
      'active',
    );
    expect(stage({ followStatuses: ['deleted_by_customer', 'half'], lastInteractionAt: ago(0) })).toBe(
      'active',
    );
    // staff deleting the contact is not the customer leaving
    expect(stage({ followStatuses: ['deleted_by_staff'], lastInteractionAt: ago(0) })).toBe('active');
    expect(stage({ followStatuses: [], lastInteractionAt: ago(0) })).toBe('active');
  });
});

describe('RFM segment', () => {
  const seg = (lastOrderAt: Date | null, orderCount: number, totalSpentFen: number) =>
    rfmSegment({ lastOrderAt, orderCount, totalSpentFen }, now, t);

  it('flags recency under 30 days, frequency from 3 orders, monetary from ¥1,000', () => {
    expect(seg(ago(30 * DAY_MS - 1), 3, 100_000)).toBe('important_value');
    expect(seg(ago(30 * DAY_MS), 3, 100_000)).toBe('important_retain');
    expect(seg(ago(DAY_MS), 2, 100_000)).toBe('important_develop');
    expect(seg(ago(DAY_MS), 3, 99_999)).toBe('general_value');
    expect(seg(ago(40 * DAY_MS), 1, 100_000)).toBe('important_winback');
    expect(seg(ago(DAY_MS), 1, 1)).toBe('general_develop');
    expect(seg(ago(40 * DAY_MS), 5, 1)).toBe('general_retain');
    expect(seg(ago(40 * DAY_MS), 1, 1)).toBe('general_winback');
  });

  it('is absent without a paid order', () => {
    expect(seg(null, 0, 0)).toBeNull();
  });

  it('follows thresholds stored in settings, over the defaults', () => {
    const custom = customerThresholdsSchema.parse({ rfm: { frequencyOrders: 2 } });
    expect(custom.rfm).toEqual({ recencyDays: 30, frequencyOrders: 2, monetaryFen: 100_000 });
    expect(custom.lifecycle).toEqual(t.lifecycle);
    expect(rfmSegment({ lastOrderAt: ago(DAY_MS), orderCount: 2, totalSpentFen: 1 }, now, custom)).toBe(
      'general_value',
    );
  });
});

describe('intent score', () => {
  const score = (events: { kind: string; ageMs: number }[]) =>
    intentScore(
      events.map((e) => ({ kind: e.kind, occurredAt: ago(e.ageMs) })),
      clock.now(),
      t,
    );

  it('weighs kinds and halves every 3 days', () => {
    expect(score([{ kind: 'product_view', ageMs: 0 }])).toBe(1);
    expect(score([{ kind: 'cart_add', ageMs: 0 }])).toBe(3);
    expect(score([{ kind: 'cart_add', ageMs: 3 * DAY_MS }])).toBe(1.5);
    expect(score([{ kind: 'product_view', ageMs: 6 * DAY_MS }])).toBe(0.25);
    expect(
      score([
        { kind: 'product_view', ageMs: 0 },
        { kind: 'product_view', ageMs: 0 },
        { kind: 'member_center_visit', ageMs: 0 },
      ]),
    ).toBe(3);
    expect(score([{ kind: 'unweighted_kind', ageMs: 0 }])).toBe(0);
    expect(score([])).toBe(0);
  });

  it('forgets events from the window on (30 days by default) and counts future-dated ones as now', () => {
    const week = customerThresholdsSchema.parse({ intent: { windowDays: 7 } });
    const at = (ageMs: number) =>
      intentScore([{ kind: 'checkout_start', occurredAt: ago(ageMs) }], now, week);
    expect(at(7 * DAY_MS - 1)).toBeCloseTo(4 * 0.5 ** (7 / 3), 2);
    expect(at(7 * DAY_MS)).toBe(0);
    expect(score([{ kind: 'checkout_start', ageMs: 29 * DAY_MS }])).toBeCloseTo(4 * 0.5 ** (29 / 3), 2);
    expect(score([{ kind: 'cart_add', ageMs: -DAY_MS }])).toBe(3);
  });

  it('decays as the clock moves on', () => {
    const events = [{ kind: 'cart_add', occurredAt: clock.now() }];
    const fresh = intentScore(events, clock.now(), t);
    clock.advance(3 * DAY_MS);
    expect(intentScore(events, clock.now(), t)).toBe(fresh / 2);
    clock.advance(-3 * DAY_MS);
  });
});
