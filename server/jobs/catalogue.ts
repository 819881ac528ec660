import { z } from 'zod';
import {
  chatEventSchema,
  contactEventSchema,
  staffTextSchema,
  tagEventSchema,
} from '../wecom/callback-events.js';

/**
 * Every job the system runs: its queue and the shape of its data. The worker refuses to boot
 * unless each name here has exactly one handler (see jobs/handlers.ts).
 *
 * Queues separate work by urgency: `welcome` must answer within WeCom's 20-second window for a
 * WelcomeCode even when `sync` has thousands of jobs waiting.
 */
export const QUEUE_NAMES = ['welcome', 'sync', 'sop', 'delivery', 'default'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

interface JobDefinition {
  queue: QueueName;
  schema: z.ZodType;
}

export const jobCatalogue = {
  'system.ping': { queue: 'default', schema: z.object({ nonce: z.string() }) },
  'wecom.contact-event': { queue: 'sync', schema: contactEventSchema },
  'wecom.chat-event': { queue: 'sync', schema: chatEventSchema },
  'wecom.tag-event': { queue: 'sync', schema: tagEventSchema },
  'wecom.welcome': {
    queue: 'welcome',
    schema: z.object({
      userid: z.string(),
      externalUserid: z.string(),
      welcomeCode: z.string(),
      state: z.string().optional(),
      eventTime: z.number().int(),
    }),
  },
  'wecom.full-sync': { queue: 'sync', schema: z.object({ reason: z.string() }) },
  'staff.contact-lost-notice': {
    queue: 'delivery',
    schema: z.object({ userid: z.string(), externalUserid: z.string(), eventTime: z.number().int() }),
  },
  'bot.staff-message': { queue: 'default', schema: staffTextSchema },
  'customers.refresh-derived': { queue: 'default', schema: z.object({}) },
  'notes.remind': { queue: 'delivery', schema: z.object({ noteId: z.number().int().positive() }) },
  // SOP engine (services/sop): scans, event-driven evaluation, delivery, outcomes, reports
  'sop.run-rule': {
    queue: 'sop',
    schema: z.object({ ruleId: z.number().int().positive(), scheduled: z.boolean().default(false) }),
  },
  'sop.evaluate-customers': {
    queue: 'sop',
    schema: z.object({ externalUserids: z.array(z.string()).min(1) }),
  },
  'sop.sync-schedules': { queue: 'sop', schema: z.object({}) },
  'sop.outcomes': { queue: 'sop', schema: z.object({ externalUserids: z.array(z.string()).optional() }) },
  'sop.remind-staff': { queue: 'delivery', schema: z.object({}) },
  'sop.mass-dispatch': { queue: 'delivery', schema: z.object({}) },
  'sop.mass-poll': { queue: 'delivery', schema: z.object({}) },
  'sop.daily-report': { queue: 'default', schema: z.object({}) },
  'reports.sync-behavior': { queue: 'default', schema: z.object({}) },
  // acquisition channels and data quality (services/channels, services/data-quality)
  'channels.apply-tags': {
    queue: 'sync',
    schema: z.object({
      externalUserid: z.string(),
      userid: z.string(),
      state: z.string(),
      eventTime: z.number().int(),
    }),
  },
  'data-quality.scan': { queue: 'default', schema: z.object({}) },
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobCatalogue;
export type JobData<N extends JobName> = z.infer<(typeof jobCatalogue)[N]['schema']>;
