import { z } from 'zod';

/** The one vocabulary of timeline kinds (design §4). Every source writes one of these. */
export const TIMELINE_KINDS = [
  'contact_added',
  'contact_edited',
  'contact_deleted_by_staff',
  'contact_deleted_by_customer',
  'contact_transferred',
  'group_joined',
  'group_left',
  'tag_added',
  'tag_removed',
  'order_paid',
  'order_refunded',
  'coupon_issued',
  'coupon_used',
  'coupon_expired',
  'behavior',
  'note',
  'sop_task_created',
  'sop_message_sent',
  'sop_task_skipped',
] as const;

export const timelineKindSchema = z.enum(TIMELINE_KINDS);
export type TimelineKind = z.infer<typeof timelineKindSchema>;

/** Who caused a timeline entry: a staff userid, the customer, or the system. */
export type TimelineActor = string;
export const ACTOR_CUSTOMER = 'customer';
export const ACTOR_SYSTEM = 'system';

export const timelineEntrySchema = z.object({
  id: z.string(),
  kind: timelineKindSchema,
  occurredAt: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const timelinePageSchema = z.object({
  entries: z.array(timelineEntrySchema),
  nextCursor: z.string().nullable(),
});
export type TimelinePage = z.infer<typeof timelinePageSchema>;
