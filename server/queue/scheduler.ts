import type { Logger } from '../infra/logger.js';
import { jobCatalogue } from '../jobs/catalogue.js';
import { SCHEDULE_TIMEZONE, type Schedule } from '../jobs/schedules.js';
import type { JobQueue } from './job-queue.js';

/** Upserting is idempotent: every scheduler process may run this at boot. */
export async function upsertSchedules(
  jobs: JobQueue,
  list: readonly Schedule[],
  logger: Logger,
): Promise<void> {
  for (const s of list) {
    const queue = jobs.queue(jobCatalogue[s.job].queue);
    await queue.upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: SCHEDULE_TIMEZONE },
      { name: s.job, data: s.data },
    );
    logger.info({ schedule: s.id, pattern: s.pattern }, 'job scheduler upserted');
  }
}
