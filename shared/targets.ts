import { z } from 'zod';
import { queryBoolean } from './channels.js';

/**
 * Monthly targets (目标跟踪表): the metrics, what `PUT /api/targets` takes and what
 * `GET /api/targets?month=` answers. What each metric counts is defined in
 * server/services/analytics/definitions.ts (and the README).
 */

export const TARGET_METRICS = {
  new_customers: { label: '新增客户', unit: 'count', direction: 'higher', accumulates: true },
  gmv: { label: 'GMV', unit: 'fen', direction: 'higher', accumulates: true },
  first_order_rate: { label: '首单转化率', unit: 'ratio', direction: 'higher', accumulates: false },
  retention_7d: { label: '7日留存率', unit: 'ratio', direction: 'higher', accumulates: false },
  monthly_churn_rate: { label: '月流失率', unit: 'ratio', direction: 'lower', accumulates: true },
  sop_completion: { label: 'SOP完成率', unit: 'ratio', direction: 'higher', accumulates: false },
} as const satisfies Record<
  string,
  { label: string; unit: 'count' | 'fen' | 'ratio'; direction: 'higher' | 'lower'; accumulates: boolean }
>;
export type TargetMetric = keyof typeof TARGET_METRICS;
export const TARGET_METRIC_NAMES = Object.keys(TARGET_METRICS) as TargetMetric[];

export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');

export const targetItemSchema = z
  .strictObject({
    scope: z.enum(['team', 'staff']),
    /** the salesperson, for scope `staff`; absent (or null) for the team */
    userid: z.string().trim().min(1).max(64).nullable().optional(),
    metric: z.enum(TARGET_METRIC_NAMES as [TargetMetric, ...TargetMetric[]]),
    /** count, fen, or a ratio 0–1 (see TARGET_METRICS[metric].unit) */
    value: z.number().finite().nonnegative(),
  })
  .superRefine((t, ctx) => {
    if (t.scope === 'staff' && !t.userid) {
      ctx.addIssue({ code: 'custom', path: ['userid'], message: 'is required for scope staff' });
    }
    if (t.scope === 'team' && t.userid) {
      ctx.addIssue({ code: 'custom', path: ['userid'], message: 'must be absent for scope team' });
    }
    const unit = TARGET_METRICS[t.metric].unit;
    if (unit === 'ratio' && t.value > 1) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'is a ratio between 0 and 1' });
    }
    if (unit !== 'ratio' && !Number.isInteger(t.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be a whole number (${unit})` });
    }
  });
export type TargetItem = z.output<typeof targetItemSchema>;

/** PUT /api/targets: the month's complete set of targets (replaces what was there). */
export const targetsPutSchema = z
  .strictObject({
    month: monthSchema,
    targets: z.array(targetItemSchema).max(5000),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.targets.forEach((t, i) => {
      const key = `${t.metric}|${t.userid ?? ''}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i],
          message: 'repeats a metric for the same scope',
        });
      }
      seen.add(key);
    });
  });
export type TargetsPut = z.input<typeof targetsPutSchema>;

export const targetsQuerySchema = z.object({
  month: monthSchema,
  excludeFlagged: queryBoolean,
});

const num = z.number().nullable();

export const trackingRowSchema = z.object({
  scope: z.enum(['team', 'staff']),
  userid: z.string().nullable(),
  name: z.string(),
  metric: z.enum(TARGET_METRIC_NAMES as [TargetMetric, ...TargetMetric[]]),
  target: num,
  /** null when there is nothing to measure yet (a rate with an empty denominator) */
  actual: num,
  /** how much of the target is reached (lower-is-better metrics: 2 − actual/target, at least 0) */
  completion: num,
  /** the previous month's actual */
  previous: num,
  /** (actual − previous) / previous */
  momChange: num,
  /** share of the month elapsed (0–1) */
  elapsedShare: z.number(),
  /** actual / target */
  targetShare: num,
  /** the month-end value at this pace (accumulating metrics), or the value itself (rates) */
  projected: num,
  /** completion of the projected value */
  pace: num,
  onPace: z.boolean().nullable(),
  laggard: z.boolean(),
});
export type TrackingRow = z.infer<typeof trackingRowSchema>;

export const targetsResponseSchema = z.object({
  month: z.string(),
  excludeFlagged: z.boolean(),
  elapsedShare: z.number(),
  targets: z.array(
    z.object({
      scope: z.enum(['team', 'staff']),
      userid: z.string().nullable(),
      metric: z.string(),
      value: z.number(),
    }),
  ),
  staff: z.array(z.object({ userid: z.string(), name: z.string() })),
  rows: z.array(trackingRowSchema),
  laggards: z.array(z.object({ userid: z.string(), name: z.string(), metrics: z.array(z.string()) })),
});
export type TargetsResponse = z.infer<typeof targetsResponseSchema>;
