import type { JobData, JobName } from './catalogue.js';

export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

export interface Schedule<N extends JobName = JobName> {
  id: string;
  job: N;
  data: JobData<N>;
  /** cron pattern, evaluated in Asia/Shanghai time */
  pattern: string;
}

/** Periodic work, upserted as BullMQ job schedulers on every boot of a scheduler role. */
export const schedules: Schedule[] = [];
