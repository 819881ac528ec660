import { z } from 'zod';

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
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobCatalogue;
export type JobData<N extends JobName> = z.infer<(typeof jobCatalogue)[N]['schema']>;
