import { z } from 'zod';

/**
 * The customer and content reports (`/api/reports/customers`, `/api/reports/content`). What each
 * figure means is written once in server/services/analytics/definitions.ts.
 */

export const customerReportQueryExtra = z.object({
  /** buckets of the series; default: week for ranges up to 62 days, else month */
  granularity: z.enum(['week', 'month']).optional(),
});

const rate = z.number().nullable();

export const customerReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  excludeFlagged: z.boolean(),
  granularity: z.enum(['week', 'month']),
  /** today's customers (with at least one follow relation ever), by stage and segment */
  snapshot: z.object({
    customers: z.number().int(),
    lifecycle: z.array(z.object({ stage: z.string(), customers: z.number().int() })),
    rfm: z.array(z.object({ segment: z.string(), label: z.string(), customers: z.number().int() })),
  }),
  series: z.array(
    z.object({
      /** first day of the bucket (clipped to the range), Asia/Shanghai */
      period: z.string(),
      start: z.string(),
      end: z.string(),
      base: z.number().int(),
      orderingCustomers: z.number().int(),
      orderingShare: rate,
      buyers: z.number().int(),
      firstBuyers: z.number().int(),
      repeatBuyers: z.number().int(),
      orders: z.number().int(),
      revenueFen: z.number().int(),
      avgOrderValueFen: z.number().int().nullable(),
      repurchaseIntervals: z.number().int(),
      medianRepurchaseDays: z.number().nullable(),
    }),
  ),
});
export type CustomerReport = z.infer<typeof customerReportSchema>;

export const contentReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  excludeFlagged: z.boolean(),
  quickReplies: z.array(
    z.object({
      id: z.number().int(),
      title: z.string(),
      groupName: z.string(),
      kind: z.string(),
      timesSent: z.number().int(),
      rank: z.number().int(),
    }),
  ),
  templates: z.array(
    z.object({
      ruleId: z.number().int(),
      ruleName: z.string(),
      trigger: z.string(),
      variant: z.number().int(),
      template: z.string().nullable(),
      sent: z.number().int(),
      recipients: z.number().int(),
      replied: z.number().int(),
      replyRate: rate,
      ordered: z.number().int(),
      orderRate: rate,
      engaged: z.number().int(),
      engagedRate: rate,
      rank: z.number().int(),
    }),
  ),
});
export type ContentReport = z.infer<typeof contentReportSchema>;
