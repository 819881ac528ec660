import { z } from 'zod';

/**
 * Data quality (数据清洗): the flags raised on customers, their rules (the setting
 * `data_quality.rules`) and the review list. What each flag means is written once in
 * server/services/analytics/definitions.ts.
 */

export const DATA_QUALITY_FLAGS = {
  no_interaction: '零互动',
  coupon_only: '羊毛党',
  quick_delete: '秒删',
  shared_unionid: '一人多号',
} as const;
export type DataQualityFlag = keyof typeof DATA_QUALITY_FLAGS;
export const DATA_QUALITY_FLAG_NAMES = Object.keys(DATA_QUALITY_FLAGS) as [
  DataQualityFlag,
  ...DataQualityFlag[],
];

export const DATA_QUALITY_SETTING = 'data_quality.rules';

export const dataQualityRulesSchema = z.strictObject({
  no_interaction: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** no interaction this many days after being added */
      days: z.number().int().min(1).max(365).default(14),
    })
    .prefault({}),
  coupon_only: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  quick_delete: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** the customer deleted the salesperson within this many hours of being added */
      hours: z
        .number()
        .positive()
        .max(24 * 30)
        .default(24),
    })
    .prefault({}),
  shared_unionid: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
});
export type DataQualityRules = z.output<typeof dataQualityRulesSchema>;

export const flagListQuerySchema = z.object({
  flag: z.enum(DATA_QUALITY_FLAG_NAMES).optional(),
  status: z.enum(['open', 'cleared', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** flag id cursor: flags with a smaller id */
  before: z.coerce.number().int().positive().optional(),
});
export type FlagListQuery = z.output<typeof flagListQuerySchema>;

export const customerFlagSchema = z.object({
  id: z.number().int(),
  externalUserid: z.string(),
  customerName: z.string(),
  flag: z.enum(DATA_QUALITY_FLAG_NAMES),
  label: z.string(),
  detail: z.record(z.string(), z.unknown()),
  detectedAt: z.string(),
  clearedAt: z.string().nullable(),
  clearedBy: z.string().nullable(),
  /** salespeople following the customer now */
  staff: z.array(z.string()),
});
export type CustomerFlag = z.infer<typeof customerFlagSchema>;

export const flagListSchema = z.object({
  items: z.array(customerFlagSchema),
  nextCursor: z.number().int().nullable(),
  /** open flags per kind, for the filter's badges */
  openCounts: z.record(z.string(), z.number().int()),
});

export const scanResultSchema = z.object({
  flags: z.record(z.string(), z.object({ raised: z.number().int(), resolved: z.number().int() })),
  open: z.number().int(),
});
export type DataQualityScanResult = z.infer<typeof scanResultSchema>;
