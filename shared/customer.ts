import { z } from 'zod';
import { timelinePageSchema } from './timeline.js';

/**
 * What the sidebar API answers (GET /api/customers/…, /api/groups/…, /api/tags, jssdk), so the
 * Vue app validates responses with the same schemas the server answers with.
 *
 * Money is integer fen (¥1 = 100 fen) in fields named `…Fen`; times are ISO-8601 strings (UTC).
 */

const isoTime = z.string();
const fen = z.number().int();

export const LIFECYCLE_STAGES = ['new', 'active', 'silent', 'churn_risk', 'lost'] as const;
export const FOLLOW_STATUSES = ['active', 'deleted_by_staff', 'deleted_by_customer', 'half'] as const;
export const ORDER_STATUSES = ['paid', 'refunded', 'cancelled'] as const;

/** WeCom's external contact `type`: 1 a WeChat user, 2 a WeCom user (another company's staff). */
export const contactTypeSchema = z.enum(['wechat', 'wecom']).nullable();

export const customerProfileSchema = z.object({
  externalUserId: z.string(),
  name: z.string(),
  avatar: z.string().nullable(),
  type: contactTypeSchema,
  /** WeCom's values: 0 unknown, 1 male, 2 female */
  gender: z.number().int().nullable(),
  corpName: z.string().nullable(),
  unionid: z.string().nullable(),
  /** the channel (`state` of the earliest relation that had one) */
  channelState: z.string().nullable(),
  firstSeenAt: isoTime,
});

export const followerSchema = z.object({
  userid: z.string(),
  /** the staff member's name, '' until known */
  name: z.string(),
  remark: z.string(),
  description: z.string(),
  state: z.string().nullable(),
  addWay: z.number().int().nullable(),
  addedAt: isoTime,
  status: z.enum(FOLLOW_STATUSES),
  /** the requesting staff member's own relation */
  isMe: z.boolean(),
});

export const customerTagSchema = z.object({
  tagId: z.string(),
  name: z.string(),
  /** on the requesting staff member's own relation */
  mine: z.boolean(),
  /** every staff member whose relation carries this tag */
  taggedBy: z.array(z.string()),
});

export const customerTagGroupSchema = z.object({
  groupId: z.string(),
  groupName: z.string(),
  tags: z.array(customerTagSchema),
});

export const customerStatsSchema = z.object({
  /** sum of paid orders */
  totalSpentFen: fen,
  orderCount: z.number().int(),
  /** totalSpentFen / orderCount, rounded; 0 without orders */
  avgOrderValueFen: fen,
  firstOrderAt: isoTime.nullable(),
  lastOrderAt: isoTime.nullable(),
  lastInteractionAt: isoTime.nullable(),
  refundCount: z.number().int(),
  refundedFen: fen,
  lifecycleStage: z.enum(LIFECYCLE_STAGES),
  /** RFM segment key (e.g. `important_value`) and its Chinese label; null without a paid order */
  rfmSegment: z.string().nullable(),
  rfmLabel: z.string().nullable(),
  intentScore: z.number(),
});

export const orderLineSchema = z.object({
  sku: z.string(),
  name: z.string(),
  qty: z.number().int(),
  priceFen: fen,
});

export const customerOrderSchema = z.object({
  orderId: z.string(),
  amountFen: fen,
  status: z.enum(ORDER_STATUSES),
  paidAt: isoTime,
  refundedAt: isoTime.nullable(),
  couponId: z.string().nullable(),
  items: z.array(orderLineSchema),
});

export const openCouponSchema = z.object({
  couponId: z.string(),
  name: z.string(),
  valueFen: fen,
  issuedAt: isoTime,
  expiresAt: isoTime,
});

export const openTaskSchema = z.object({
  id: z.number().int(),
  ruleId: z.number().int(),
  ruleName: z.string(),
  userid: z.string(),
  status: z.enum(['pending', 'sent']),
  message: z.string(),
  dueAt: isoTime,
  createdAt: isoTime,
});

export const customerGroupSchema = z.object({
  chatId: z.string(),
  name: z.string(),
  joinedAt: isoTime.nullable(),
});

/** GET /api/customers/:externalUserId */
export const customer360Schema = z.object({
  profile: customerProfileSchema,
  followers: z.array(followerSchema),
  tagGroups: z.array(customerTagGroupSchema),
  stats: customerStatsSchema,
  /** the 10 most recent orders, newest first */
  recentOrders: z.array(customerOrderSchema),
  /** unused and not expired, soonest expiry first */
  openCoupons: z.array(openCouponSchema),
  /** SOP tasks pending or sent for this customer, soonest due first */
  openTasks: z.array(openTaskSchema),
  /** customer groups the customer is currently in */
  groups: z.array(customerGroupSchema),
});
export type Customer360 = z.infer<typeof customer360Schema>;

/** GET /api/customers/:externalUserId/timeline?before=CURSOR&limit=1..100 (default 30) */
export const customerTimelineSchema = timelinePageSchema;

/** PUT /api/customers/:externalUserId/tags — `userid` picks the relation (supervisors/admins). */
export const tagEditSchema = z
  .object({
    add: z.array(z.string().min(1).max(128)).max(100).default([]),
    remove: z.array(z.string().min(1).max(128)).max(100).default([]),
    userid: z.string().min(1).max(64).optional(),
  })
  .refine((b) => b.add.length + b.remove.length > 0, { message: 'add or remove at least one tag' })
  .refine((b) => !b.add.some((t) => b.remove.includes(t)), { message: 'a tag cannot be added and removed' });
export type TagEdit = z.input<typeof tagEditSchema>;

export const relationTagSchema = z.object({
  tagId: z.string(),
  name: z.string(),
  groupId: z.string(),
  groupName: z.string(),
});

export const tagEditResultSchema = z.object({
  userid: z.string(),
  /** the relation's tags after the change */
  tags: z.array(relationTagSchema),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type TagEditResult = z.infer<typeof tagEditResultSchema>;

/** POST /api/customers/:externalUserId/notes */
export const noteInputSchema = z.object({
  text: z.string().trim().min(1).max(2000),
  /** a free label for the follow-up state, e.g. 已沟通 / 待回访 / 已成交 */
  followStatus: z.string().trim().min(1).max(32).optional(),
  /** when to remind the author by app message; must be in the future (≤ 1 year) */
  remindAt: z.iso.datetime({ offset: true }).optional(),
});
export type NoteInput = z.infer<typeof noteInputSchema>;

export const noteSchema = z.object({
  id: z.number().int(),
  externalUserId: z.string(),
  userid: z.string(),
  text: z.string(),
  followStatus: z.string().nullable(),
  remindAt: isoTime.nullable(),
  createdAt: isoTime,
});
export type Note = z.infer<typeof noteSchema>;

/** GET /api/tags: the corp tag catalogue for the tag editor */
export const tagCatalogueSchema = z.object({
  groups: z.array(
    z.object({
      groupId: z.string(),
      name: z.string(),
      tags: z.array(z.object({ tagId: z.string(), name: z.string() })),
    }),
  ),
});
export type TagCatalogue = z.infer<typeof tagCatalogueSchema>;

/** GET /api/groups/:chatId */
export const groupMemberSchema = z.object({
  memberId: z.string(),
  type: z.enum(['staff', 'customer']),
  name: z.string(),
  groupNickname: z.string(),
  joinedAt: isoTime.nullable(),
  /** for customers known to us: their external userid and whether the requester follows them */
  customer: z.object({ externalUserId: z.string(), name: z.string(), followedByMe: z.boolean() }).nullable(),
});

export const groupChangeSchema = z.object({
  memberId: z.string(),
  type: z.enum(['staff', 'customer']),
  name: z.string(),
  at: isoTime,
});

export const groupViewSchema = z.object({
  chatId: z.string(),
  name: z.string(),
  owner: z.object({ userid: z.string(), name: z.string() }).nullable(),
  notice: z.string(),
  createdAt: isoTime.nullable(),
  status: z.enum(['active', 'dismissed']),
  memberCount: z.number().int(),
  customerCount: z.number().int(),
  staffCount: z.number().int(),
  /** current members, earliest joined first */
  members: z.array(groupMemberSchema),
  /** changes in the last 7 days, newest first */
  joinedRecently: z.array(groupChangeSchema),
  leftRecently: z.array(groupChangeSchema),
});
export type GroupView = z.infer<typeof groupViewSchema>;

/** POST /api/jssdk/signatures { url } — for ww.register's getConfigSignature / getAgentConfigSignature */
export const jssdkRequestSchema = z.object({ url: z.url({ protocol: /^https?$/ }).max(2048) });

const signatureSchema = z.object({
  timestamp: z.number().int(),
  nonceStr: z.string(),
  signature: z.string(),
});
export const jssdkSignaturesSchema = z.object({
  corpId: z.string(),
  agentId: z.number().int(),
  config: signatureSchema,
  agentConfig: signatureSchema,
});
export type JssdkSignatures = z.infer<typeof jssdkSignaturesSchema>;
