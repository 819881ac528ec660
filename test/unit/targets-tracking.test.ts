import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/infra/clock.js';
import {
  allocatedCostFen,
  completion,
  elapsedShare,
  trackingFigures,
} from '../../server/services/analytics/definitions.js';
import { buckets, monthBounds, previousMonth, weekMonday } from '../../server/services/analytics/time.js';
import { targetsPutSchema } from '../../shared/targets.js';

/** The tracking table's maths (目标跟踪表): completion, month-on-month, pacing, laggards. */

describe('month bounds and elapsed share (Asia/Shanghai)', () => {
  it('a month starts at Shanghai midnight, 16:00 UTC the day before', () => {
    expect(monthBounds('2025-06')).toEqual({
      start: new Date('2025-05-31T16:00:00Z'),
      end: new Date('2025-06-30T16:00:00Z'),
    });
    expect(monthBounds('2025-12').end).toEqual(new Date('2025-12-31T16:00:00Z'));
    expect(previousMonth('2025-01')).toBe('2024-12');
  });

  it('measures elapsed time against a fixed clock', () => {
    const { start, end } = monthBounds('2025-06');
    const clock = fixedClock(new Date('2025-05-31T15:59:59Z'));
    expect(elapsedShare(start, end, clock.now())).toBe(0);
    clock.set(new Date('2025-06-15T16:00:00Z')); // 06-16 00:00 in Shanghai: half of June gone
    expect(elapsedShare(start, end, clock.now())).toBe(0.5);
    clock.set(new Date('2025-06-30T16:00:00Z'));
    expect(elapsedShare(start, end, clock.now())).toBe(1);
    clock.advance(86_400_000 * 40);
    expect(elapsedShare(start, end, clock.now())).toBe(1);
  });

  it('week buckets start on Monday and are clipped to the range', () => {
    expect(weekMonday('2025-06-01')).toBe('2025-05-26'); // a Sunday
    expect(weekMonday('2025-06-02')).toBe('2025-06-02');
    expect(
      buckets('2025-06-01', '2025-06-10', 'week').map((b) => [
        b.period,
        b.start.toISOString(),
        b.end.toISOString(),
      ]),
    ).toEqual([
      ['2025-06-01', '2025-05-31T16:00:00.000Z', '2025-06-01T16:00:00.000Z'],
      ['2025-06-02', '2025-06-01T16:00:00.000Z', '2025-06-08T16:00:00.000Z'],
      ['2025-06-09', '2025-06-08T16:00:00.000Z', '2025-06-10T16:00:00.000Z'],
    ]);
    expect(buckets('2025-01-20', '2025-03-01', 'month').map((b) => b.period)).toEqual([
      '2025-01-20',
      '2025-02-01',
      '2025-03-01',
    ]);
  });
});

describe('completion', () => {
  it('higher is better: actual / target', () => {
    expect(completion('new_customers', 150, 200)).toBe(0.75);
    expect(completion('gmv', 300, 200)).toBe(1.5);
    expect(completion('first_order_rate', 0.2, 0.25)).toBe(0.8);
    expect(completion('gmv', 5, 0)).toBe(1);
    expect(completion('gmv', 5, null)).toBeNull();
    expect(completion('retention_7d', null, 0.5)).toBeNull();
  });

  it('lower is better (churn): 100% at the target, 200% at zero, never below 0', () => {
    expect(completion('monthly_churn_rate', 0.05, 0.05)).toBe(1);
    expect(completion('monthly_churn_rate', 0.04, 0.05)).toBe(1.2);
    expect(completion('monthly_churn_rate', 0, 0.05)).toBe(2);
    expect(completion('monthly_churn_rate', 0.06, 0.05)).toBe(0.8);
    expect(completion('monthly_churn_rate', 0.2, 0.05)).toBe(0);
    expect(completion('monthly_churn_rate', 0, 0)).toBe(1);
    expect(completion('monthly_churn_rate', 0.01, 0)).toBe(0);
  });
});

describe('tracking figures', () => {
  it('accumulating metrics are projected to the month’s end', () => {
    // 10 days of 30 gone, 60 of 200 new customers: pace 90/100 → on pace
    const f = trackingFigures({
      metric: 'new_customers',
      target: 200,
      actual: 60,
      previous: 50,
      elapsed: 1 / 3,
    });
    expect(f).toEqual({
      completion: 0.3,
      momChange: 0.2,
      targetShare: 0.3,
      projected: 180,
      pace: 0.9,
      onPace: false,
      laggard: false, // exactly 90% is not behind
    });
    const behind = trackingFigures({
      metric: 'gmv',
      target: 1_000_000,
      actual: 200_000,
      previous: 0,
      elapsed: 0.5,
    });
    expect(behind).toMatchObject({
      projected: 400_000,
      pace: 0.4,
      onPace: false,
      laggard: true,
      momChange: null,
    });
    const ahead = trackingFigures({
      metric: 'gmv',
      target: 1_000_000,
      actual: 600_000,
      previous: 800_000,
      elapsed: 0.5,
    });
    expect(ahead).toMatchObject({ pace: 1.2, onPace: true, laggard: false, momChange: -0.25 });
  });

  it('rates are judged as they stand', () => {
    const f = trackingFigures({
      metric: 'retention_7d',
      target: 0.8,
      actual: 0.6,
      previous: 0.5,
      elapsed: 0.5,
    });
    expect(f).toMatchObject({ projected: 0.6, completion: 0.75, pace: 0.75, laggard: true, momChange: 0.2 });
  });

  it('churn accumulates and is lower-is-better: half the budget used by mid-month is on pace', () => {
    const onPace = trackingFigures({
      metric: 'monthly_churn_rate',
      target: 0.05,
      actual: 0.025,
      previous: 0.04,
      elapsed: 0.5,
    });
    expect(onPace).toMatchObject({ projected: 0.05, pace: 1, onPace: true, laggard: false, completion: 1.5 });
    const over = trackingFigures({
      metric: 'monthly_churn_rate',
      target: 0.05,
      actual: 0.04,
      previous: null,
      elapsed: 0.5,
    });
    expect(over).toMatchObject({ projected: 0.08, pace: 0.4, onPace: false, laggard: true, momChange: null });
  });

  it('nothing is a laggard in the month’s first days, or before it starts, or without a target', () => {
    expect(
      trackingFigures({ metric: 'new_customers', target: 100, actual: 0, previous: 0, elapsed: 0.05 })
        .laggard,
    ).toBe(false);
    expect(
      trackingFigures({ metric: 'new_customers', target: 100, actual: 0, previous: 0, elapsed: 0 }),
    ).toMatchObject({
      projected: null,
      pace: null,
      onPace: null,
      laggard: false,
    });
    expect(
      trackingFigures({ metric: 'gmv', target: null, actual: 5, previous: 1, elapsed: 0.5 }),
    ).toMatchObject({
      completion: null,
      pace: null,
      laggard: false,
      momChange: 4,
    });
  });
});

describe('channel cost allocation', () => {
  it('spreads the cost over the channel’s adds', () => {
    expect(allocatedCostFen(100_000, 3, 4)).toBe(75_000);
    expect(allocatedCostFen(100_000, 0, 4)).toBe(0);
    expect(allocatedCostFen(100_000, 0, 0)).toBe(100_000);
    expect(allocatedCostFen(0, 3, 4)).toBe(0);
  });
});

describe('PUT /api/targets body', () => {
  it('accepts a month’s list and refuses bad items with their path', () => {
    expect(
      targetsPutSchema.parse({
        month: '2025-06',
        targets: [
          { scope: 'team', metric: 'gmv', value: 5_000_000 },
          { scope: 'staff', userid: 'zhangsan', metric: 'new_customers', value: 80 },
          { scope: 'staff', userid: 'zhangsan', metric: 'monthly_churn_rate', value: 0.05 },
        ],
      }).targets,
    ).toHaveLength(3);
    const bad = targetsPutSchema.safeParse({
      month: '2025-13',
      targets: [
        { scope: 'staff', metric: 'gmv', value: 1 },
        { scope: 'team', userid: 'x', metric: 'gmv', value: 1 },
        { scope: 'team', metric: 'retention_7d', value: 80 },
        { scope: 'team', metric: 'gmv', value: 10.5 },
        { scope: 'team', metric: 'nope', value: 1 },
        { scope: 'team', metric: 'new_customers', value: -1 },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual([
      'month',
      'targets.0.userid',
      'targets.1.userid',
      'targets.2.value',
      'targets.3.value',
      'targets.4.metric',
      'targets.5.value',
    ]);
    const dup = targetsPutSchema.safeParse({
      month: '2025-06',
      targets: [
        { scope: 'team', metric: 'gmv', value: 1 },
        { scope: 'team', metric: 'gmv', value: 2 },
      ],
    });
    expect(dup.error?.issues[0]?.path).toEqual(['targets', 1]);
  });
});
