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
  // SOP: each rule's own scan has its own scheduler (sop-rule-<id>, see jobs/sop-producer.ts);
  // these keep delivery, outcomes and reports moving and the rule schedulers in step with the rules
  { id: 'sop-sync-schedules', job: 'sop.sync-schedules', data: {}, pattern: '*/15 * * * *' },
  { id: 'sop-remind-staff', job: 'sop.remind-staff', data: {}, pattern: '*/5 * * * *' },
  { id: 'sop-mass-dispatch', job: 'sop.mass-dispatch', data: {}, pattern: '*/5 * * * *' },
  { id: 'sop-mass-poll', job: 'sop.mass-poll', data: {}, pattern: '*/10 * * * *' },
  { id: 'sop-outcomes', job: 'sop.outcomes', data: {}, pattern: '15 * * * *' },
  { id: 'sop-daily-report', job: 'sop.daily-report', data: {}, pattern: '*/5 * * * *' },
  { id: 'reports-sync-behavior', job: 'reports.sync-behavior', data: {}, pattern: '0 6 * * *' },
  // 数据清洗: raise and close data-quality flags after the nightly sync and derived refresh
  { id: 'data-quality-scan', job: 'data-quality.scan', data: {}, pattern: '0 4 * * *' },
];
