import { z } from 'zod';

/**
 * Acquisition channels (渠道活码): what `/api/channels` takes and answers, and the channel report
 * (`/api/reports/channels`). Money crosses the API as yuan on input (`cost`) and as both yuan
 * (`cost`) and integer fen (`costFen`) on output.
 */

const userid = z.string().trim().min(1).max(64);
const tagId = z.string().trim().min(1).max(128);

/** Yuan with at most two decimals, as a number or a numeric string → integer fen. */
export const yuanToFenSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d{1,2})?$/, 'must be yuan with at most 2 decimals'),
  ])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? String(v) : v;
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most 2 decimals' });
      return z.NEVER;
    }
    const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
    if (!Number.isSafeInteger(fen) || fen > 100_000_000_000) {
      ctx.addIssue({ code: 'custom', message: 'is too large' });
      return z.NEVER;
    }
    return fen;
  });

const uniqueList = <T extends z.ZodType<string>>(item: T, max: number, what: string) =>
  z
    .array(item)
    .max(max)
    .refine((xs) => new Set(xs).size === xs.length, { message: `must not repeat a ${what}` });

export const channelInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(50),
  /** salespeople the QR code routes to: one → a single-person code, several → multi-person */
  staffUserids: uniqueList(userid, 100, 'salesperson').refine((xs) => xs.length > 0, {
    message: 'needs at least one salesperson',
  }),
  /** corp tags applied to every customer added through the channel */
  tagIds: uniqueList(tagId, 20, 'tag').default([]),
  /** the greeting sent instead of the default; `{{name}}` and `{{staffName}}` are filled in */
  welcomeText: z.string().trim().max(1000).nullable().optional(),
  /** what the channel cost, in yuan */
  cost: yuanToFenSchema.optional(),
});
export type ChannelInput = z.input<typeof channelInputSchema>;

/** PUT /api/channels/:id: any subset of the fields. */
export const channelUpdateSchema = channelInputSchema.partial().extend({
  tagIds: uniqueList(tagId, 20, 'tag').optional(),
});
export type ChannelUpdate = z.input<typeof channelUpdateSchema>;

export const channelSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  state: z.string(),
  qrCode: z.string().nullable(),
  configId: z.string().nullable(),
  staffUserids: z.array(z.string()),
  tagIds: z.array(z.string()),
  welcomeText: z.string().nullable(),
  /** yuan */
  cost: z.number(),
  costFen: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type Channel = z.infer<typeof channelSchema>;

export const channelListSchema = z.object({ channels: z.array(channelSchema) });

// ---- reports shared by every analytics endpoint ----------------------------------------------

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
/** A query-string switch: `1`/`true` on, anything else (or absent) off. */
export const queryBoolean = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', ''])])
  .optional()
  .transform((v) => v === true || v === '1' || v === 'true');

/** `?from&to` (Asia/Shanghai days, inclusive, ≤ 366 days) and `excludeFlagged=1`. */
export const analyticsRangeSchema = z
  .object({ from: isoDay, to: isoDay, excludeFlagged: queryBoolean })
  .refine((r) => r.from <= r.to, { message: 'must not be after `to`', path: ['from'] })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 < 366, {
    message: 'a range spans at most 366 days',
    path: ['to'],
  });
export type AnalyticsRange = z.output<typeof analyticsRangeSchema>;

const rate = z.number().nullable();

export const channelReportRowSchema = z.object({
  /** the channel code; null = relations added without one */
  state: z.string().nullable(),
  /** the channel's id when it was created in the product (deleted ones too) */
  channelId: z.number().int().nullable(),
  /** the channel's name, the state itself for codes made outside the product */
  name: z.string(),
  deleted: z.boolean(),
  added: z.number().int(),
  customers: z.number().int(),
  deletedByStaff: z.number().int(),
  deletedByCustomer: z.number().int(),
  retentionEligible: z.number().int(),
  retained7d: z.number().int(),
  retention7dRate: rate,
  firstOrders30d: z.number().int(),
  firstOrder30dRate: rate,
  revenueFen: z.number().int(),
  totalCostFen: z.number().int(),
  costFen: z.number().int(),
  costPerRetainedFen: z.number().int().nullable(),
  roi: rate,
  rank: z.number().int(),
});
export type ChannelReportRow = z.infer<typeof channelReportRowSchema>;

export const channelReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  excludeFlagged: z.boolean(),
  rows: z.array(channelReportRowSchema),
  totals: channelReportRowSchema.omit({
    state: true,
    channelId: true,
    name: true,
    deleted: true,
    rank: true,
  }),
});
export type ChannelReport = z.infer<typeof channelReportSchema>;
