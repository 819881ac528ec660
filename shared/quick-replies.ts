import { z } from 'zod';

/**
 * Quick replies (话术库): reusable messages staff send from the sidebar. Text (and a link's
 * title and description) may hold variables, filled for one customer when rendered:
 *
 * | variable | filled with |
 * |---|---|
 * | `{{name}}` | the customer: the requesting staff member's remark for them, else their WeCom name |
 * | `{{staffName}}` | the requesting staff member's name |
 * | `{{coupon}}` | the customer's open coupon expiring soonest (its name) |
 * | `{{couponValue}}` | that coupon's value in yuan, e.g. `50` or `12.50` |
 * | `{{couponExpiresAt}}` | that coupon's expiry date, `YYYY-MM-DD` (Asia/Shanghai) |
 * | `{{lastOrderDate}}` | the customer's last paid order date, `YYYY-MM-DD` (Asia/Shanghai) |
 *
 * A variable without a value renders as an empty string and is listed in `missing`.
 */
export const QUICK_REPLY_VARIABLES = [
  'name',
  'staffName',
  'coupon',
  'couponValue',
  'couponExpiresAt',
  'lastOrderDate',
] as const;
export type QuickReplyVariable = (typeof QUICK_REPLY_VARIABLES)[number];

export const QUICK_REPLY_KINDS = ['text', 'link', 'image'] as const;

const VARIABLE = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The variables a text uses, in order of first use (unknown names included, for validation). */
export function variablesIn(...texts: Array<string | null | undefined>): string[] {
  const seen = new Set<string>();
  for (const text of texts) for (const m of (text ?? '').matchAll(VARIABLE)) seen.add(m[1]!);
  return [...seen];
}

/** Replaces `{{var}}` by its value; unknown or missing values become ''. */
export function fillVariables(text: string, values: Partial<Record<string, string>>): string {
  return text.replace(VARIABLE, (_, name: string) => values[name] ?? '');
}

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/**
 * `content` is the message text for `text`; for `link` the link's description; for `image` the
 * image's URL (the sidebar uploads it as media before sending).
 */
export const quickReplyInputSchema = z
  .object({
    groupName: z.string().trim().min(1).max(32).default('默认'),
    title: z.string().trim().min(1).max(64),
    kind: z.enum(QUICK_REPLY_KINDS),
    content: z.string().max(4000).default(''),
    linkUrl: httpUrl.nullish(),
    linkTitle: z.string().max(128).nullish(),
    linkImageUrl: httpUrl.nullish(),
    sortOrder: z.number().int().min(0).max(1_000_000).default(0),
  })
  .superRefine((q, ctx) => {
    if (q.kind === 'text' && q.content.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'a text reply needs content' });
    }
    if (q.kind === 'link' && (!q.linkUrl || !q.linkTitle)) {
      ctx.addIssue({
        code: 'custom',
        path: ['linkUrl'],
        message: 'a link reply needs linkUrl and linkTitle',
      });
    }
    if (q.kind === 'image' && !httpUrl.safeParse(q.content).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'an image reply needs the image URL as content',
      });
    }
    const unknown = variablesIn(q.content, q.linkTitle).filter(
      (v) => !(QUICK_REPLY_VARIABLES as readonly string[]).includes(v),
    );
    if (unknown.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: `unknown variables: ${unknown.join(', ')} (known: ${QUICK_REPLY_VARIABLES.join(', ')})`,
      });
    }
  });
export type QuickReplyInput = z.input<typeof quickReplyInputSchema>;

export const quickReplySchema = z.object({
  id: z.number().int(),
  groupName: z.string(),
  title: z.string(),
  kind: z.enum(QUICK_REPLY_KINDS),
  content: z.string(),
  linkUrl: z.string().nullable(),
  linkTitle: z.string().nullable(),
  linkImageUrl: z.string().nullable(),
  variables: z.array(z.string()),
  sortOrder: z.number().int(),
  timesSent: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type QuickReply = z.infer<typeof quickReplySchema>;

export const quickReplySearchSchema = z.object({
  q: z.string().trim().max(64).optional(),
  group: z.string().trim().max(32).optional(),
});

/** GET /api/quick-replies */
export const quickReplyListSchema = z.object({
  items: z.array(quickReplySchema),
  groups: z.array(z.string()),
});

/** GET /api/customers/:externalUserId/quick-replies: the same list, variables filled for the customer */
export const renderedQuickReplySchema = quickReplySchema.extend({
  rendered: z.object({ content: z.string(), linkTitle: z.string().nullable() }),
  missing: z.array(z.string()),
});
export const renderedQuickReplyListSchema = z.object({
  items: z.array(renderedQuickReplySchema),
  groups: z.array(z.string()),
});
export type RenderedQuickReply = z.infer<typeof renderedQuickReplySchema>;
