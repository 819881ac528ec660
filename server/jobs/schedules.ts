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
export const schedules: Schedule[] = [
  // reconciles whatever a lost callback missed; also the first import on a new installation
  { id: 'wecom-nightly-sync', job: 'wecom.full-sync', data: { reason: 'nightly' }, pattern: '0 2 * * *' },
  // time alone moves customers between lifecycle stages and decays intent
  { id: 'customers-refresh-derived', job: 'customers.refresh-derived', data: {}, pattern: '30 3 * * *' },
];
