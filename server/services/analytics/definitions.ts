import { TARGET_METRICS, type TargetMetric } from '../../../shared/targets.js';

/**
 * What every acquisition, target, customer, content and data-quality figure means, written once.
 * The SQL in repositories/analytics-reports.ts and repositories/customer-flags.ts computes exactly
 * these; the README's "Channels, targets and data quality" section repeats them for readers;
 * tests check the SQL against independent queries. Days are Asia/Shanghai calendar days; a range
 * `from`–`to` includes both days. "Now" is the injected clock.
 *
 * Every report can leave out flagged customers (`excludeFlagged=1`): customers with a data-quality
 * flag that is open *now* are dropped from every count, sum and denominator (channel costs
 * excepted — money spent on them was spent).
 */
export const ANALYTICS_DEFINITIONS = {
  channels: {
    cohort:
      'follow relations added in the range, grouped by their channel code (`state`); codes made outside the product count under the code itself, relations without a code under 自然添加',
    added: 'relations in the cohort',
    customers: 'distinct customers in the cohort',
    deletedByStaff: 'cohort relations the salesperson has deleted since (status now deleted_by_staff)',
    deletedByCustomer:
      'cohort relations the customer has deleted since (单删, status now deleted_by_customer)',
    retentionEligible:
      'cohort relations added at least 7 days before the end of the range (or before now, if earlier)',
    retained7d: 'eligible relations still standing 7 days after being added (not deleted, or deleted later)',
    retention7dRate: 'retained7d / retentionEligible (null when none is eligible)',
    firstOrders30d:
      'cohort customers whose first paid order ever came within 30 days after their (earliest) add through the channel in the range',
    firstOrder30dRate: 'firstOrders30d / customers',
    revenueFen:
      'paid orders (refunded and cancelled excluded) of cohort customers, paid at or after their add, to date',
    totalCostFen: 'the cost entered on the channel',
    costFen:
      'the share of the cost that falls on the range: totalCost × relations added in the range / relations ever added through the code (all customers, flagged or not); the whole cost while nobody has been added',
    costPerRetainedFen: 'costFen / retained7d (null when nobody was retained)',
    roi: 'revenueFen / costFen (null without a cost)',
    rank: 'by retained7d, then added, then revenue, descending; 1 is best',
    totals: 'the rows added up; totals’ rates from the summed figures',
  },
  targets: {
    new_customers: 'follow relations added in the month (per salesperson: theirs)',
    gmv: 'paid orders paid in the month, fen (per salesperson: orders of customers they followed when the order was paid)',
    first_order_rate:
      'of the customers added in the month (per salesperson: by them), the share whose first paid order ever came within 30 days of being added, to date',
    retention_7d:
      'of the relations added in the month at least 7 days before the month’s end (or now), the share still standing 7 days after being added',
    monthly_churn_rate:
      'relations deleted by customers in the month / relations standing at the month’s start (lower is better; as the growth report’s churn rate)',
    sop_completion: 'SOP tasks created in the month that were sent / tasks created (as the task report)',
    completion:
      'actual / target; for lower-is-better metrics 2 − actual / target (100% at the target, 200% at zero, never below 0); null without a target or an actual',
    momChange:
      '(actual − previous month’s actual) / previous month’s actual; null when the previous is 0 or unknown',
    elapsedShare: 'share of the month’s time (Asia/Shanghai) that has passed, 0–1',
    targetShare: 'actual / target',
    projected:
      'accumulating metrics (new customers, GMV, churn): actual / elapsedShare, the month-end figure at this pace; rates: the actual itself',
    pace: 'completion of the projected figure; onPace = pace ≥ 100%',
    laggard: `pace below ${0.9 * 100}% once at least 10% of the month has passed`,
  },
  customers: {
    snapshot:
      'customers with at least one follow relation (ever), by today’s lifecycle stage and RFM segment (see customers/definitions.ts)',
    buckets: 'calendar weeks (Monday first) or months, Asia/Shanghai, clipped to the range',
    base: 'customers with a relation standing at some time in the bucket',
    orderingCustomers: 'base customers with a paid order in the bucket',
    orderingShare: 'orderingCustomers / base',
    buyers: 'customers with a paid order in the bucket',
    firstBuyers: 'buyers whose first paid order ever is in the bucket; repeatBuyers = buyers − firstBuyers',
    orders: 'paid orders in the bucket; revenueFen their sum; avgOrderValueFen = revenue / orders',
    medianRepurchaseDays:
      'median of the days between a customer’s consecutive paid orders, for orders in the bucket that have an earlier paid order',
  },
  content: {
    quickReplies:
      'the quick-reply library by times sent (all time: sends are counted, recipients are not recorded)',
    sent: 'SOP tasks of the rule and variant sent in the range (one task = one recipient)',
    replied:
      'sent tasks whose customer had a behaviour event (the timeline’s `behavior`) within 48 h after sending',
    ordered: 'sent tasks whose customer paid an order within 7 days after sending',
    engaged: 'replied or ordered',
    rates: 'replied, ordered and engaged / sent',
    rank: 'by engagedRate, then sent, descending',
  },
  dataQuality: {
    no_interaction:
      'no behaviour event, order or coupon use since the customer’s first add, which was at least `days` (14) days ago',
    coupon_only:
      '羊毛党: every paid order used a coupon; or coupons were claimed, none was used, all have expired, and no order was paid',
    quick_delete:
      '秒删: the customer deleted the salesperson within `hours` (24) of being added (one flag per relation)',
    shared_unionid: '一人多号: the customer’s unionid is shared with another external contact',
    lifecycle:
      'the daily scan (04:00 Asia/Shanghai, or POST /api/data-quality/scan) raises flags whose condition holds and closes (cleared_by `system`) open ones that no longer hold; a flag a supervisor cleared is not raised again for the same occurrence',
  },
} as const;

/** Ratio rounded to 4 decimals; null with an empty denominator. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator / denominator) * 10_000) / 10_000 : null;
}

// ---- channels ---------------------------------------------------------------------------------

export const RETENTION_DAYS = 7;
export const FIRST_ORDER_DAYS = 30;
export const NO_CHANNEL_NAME = '自然添加';

/** ANALYTICS_DEFINITIONS.channels.costFen */
export function allocatedCostFen(totalCostFen: number, addedInRange: number, addedEver: number): number {
  if (totalCostFen <= 0) return 0;
  if (addedEver <= 0) return totalCostFen;
  return Math.round((totalCostFen * addedInRange) / addedEver);
}

// ---- targets ----------------------------------------------------------------------------------

export const LAGGARD_PACE = 0.9;
export const MIN_ELAPSED_FOR_PACE = 0.1;

export function metricDirection(metric: TargetMetric): 'higher' | 'lower' {
  return TARGET_METRICS[metric].direction;
}

/** ANALYTICS_DEFINITIONS.targets.completion */
export function completion(
  metric: TargetMetric,
  actual: number | null,
  target: number | null,
): number | null {
  if (target === null || actual === null) return null;
  if (metricDirection(metric) === 'higher') {
    if (target <= 0) return 1;
    return round4(actual / target);
  }
  if (target <= 0) return actual <= 0 ? 1 : 0;
  return round4(Math.max(0, 2 - actual / target));
}

/** Share of [start, end) that has passed at `now`, 0–1. */
export function elapsedShare(start: Date, end: Date, now: Date): number {
  const span = end.getTime() - start.getTime();
  if (span <= 0) return 1;
  return round4(Math.min(1, Math.max(0, (now.getTime() - start.getTime()) / span)));
}

/** One line of the tracking table: target, actual, completion, month-on-month, pacing. */
export function trackingFigures(input: {
  metric: TargetMetric;
  target: number | null;
  actual: number | null;
  previous: number | null;
  elapsed: number;
}) {
  const { metric, target, actual, previous, elapsed } = input;
  const accumulates = TARGET_METRICS[metric].accumulates;
  const projected =
    actual === null ? null : accumulates ? (elapsed > 0 ? round4(actual / elapsed) : null) : actual;
  const pace = completion(metric, projected, target);
  return {
    completion: completion(metric, actual, target),
    momChange:
      actual !== null && previous !== null && previous !== 0 ? round4((actual - previous) / previous) : null,
    targetShare: target !== null && target > 0 && actual !== null ? round4(actual / target) : null,
    projected,
    pace,
    onPace: pace === null ? null : pace >= 1,
    laggard: pace !== null && elapsed >= MIN_ELAPSED_FOR_PACE && pace < LAGGARD_PACE,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

// ---- content ----------------------------------------------------------------------------------

export const REPLY_WINDOW_HOURS = 48;
export const ORDER_WINDOW_DAYS = 7;
