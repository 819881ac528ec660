import { z } from 'zod';

/** POST /api/workbench/remind: remind one salesperson of their open SOP tasks (supervisors). */
export const remindRequestSchema = z.strictObject({ userid: z.string().trim().min(1).max(128) });

export const remindResultSchema = z.object({
  userid: z.string(),
  name: z.string(),
  open: z.number().int(),
  overdue: z.number().int(),
  sentAt: z.string(),
  /** the next reminder to this salesperson is accepted from then (once per hour) */
  nextAllowedAt: z.string(),
});
export type RemindResult = z.infer<typeof remindResultSchema>;

/** GET /api/workbench/audience-options: the rule editor's salespeople and channel codes. */
export const audienceOptionsSchema = z.object({
  staff: z.array(z.object({ userid: z.string(), name: z.string() })),
  /** channel codes (`state`), the 渠道活码 channel's name where one has that code */
  channels: z.array(
    z.object({ state: z.string(), name: z.string().nullable(), customers: z.number().int() }),
  ),
});
export type AudienceOptions = z.infer<typeof audienceOptionsSchema>;
