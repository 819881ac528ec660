import type { JobQueue } from '../queue/job-queue.js';
import type { RuleSchedules, SopJobs } from '../services/sop/ports.js';
import { jobCatalogue } from './catalogue.js';
import { SCHEDULE_TIMEZONE } from './schedules.js';

/** A burst of behaviour events for one customer within this window evaluates once. */
export const HIGH_INTENT_DEBOUNCE_MS = 30_000;

/**
 * The SOP engine's background work on BullMQ. Deduplication ids make the debounce: while a
 * customer's evaluation waits, further requests for it are dropped; one arriving while it runs
 * is kept for a single re-run (`keepLastIfActive`), so no event goes unevaluated.
 */
export function sopJobs(jobs: JobQueue, debounceMs = HIGH_INTENT_DEBOUNCE_MS): SopJobs {
  const soon = (id: string) => ({ deduplication: { id, keepLastIfActive: true } });
  return {
    async evaluateCustomers(ids) {
      if (ids.length === 0) return;
      await jobs.enqueueMany(
        'sop.evaluate-customers',
        ids.map((id) => ({
          data: { externalUserids: [id] },
          options: { delay: debounceMs, ...soon(`sop-eval:${id}`) },
        })),
      );
    },
    async evaluateCustomerLater(id, delayMs, key) {
      await jobs.enqueue(
        'sop.evaluate-customers',
        { externalUserids: [id] },
        { delay: delayMs, jobId: `sop-cart-${key}` },
      );
    },
    async remindStaff() {
      await jobs.enqueue('sop.remind-staff', {}, soon('sop-remind-staff'));
    },
    async dispatchMassSends() {
      await jobs.enqueue('sop.mass-dispatch', {}, soon('sop-mass-dispatch'));
    },
    async attribute(ids) {
      if (ids.length === 0) return;
      await jobs.enqueue('sop.outcomes', { externalUserids: [...ids] });
    },
  };
}

/** Per-rule BullMQ job schedulers (`sop-rule-<id>`), evaluated in Asia/Shanghai time. */
export function ruleSchedules(jobs: JobQueue): RuleSchedules {
  const queue = () => jobs.queue(jobCatalogue['sop.run-rule'].queue);
  const PREFIX = 'sop-rule-';
  return {
    async upsert(ruleId, pattern) {
      await queue().upsertJobScheduler(
        `${PREFIX}${ruleId}`,
        { pattern, tz: SCHEDULE_TIMEZONE },
        { name: 'sop.run-rule', data: { ruleId, scheduled: true } },
      );
    },
    async remove(ruleId) {
      await queue().removeJobScheduler(`${PREFIX}${ruleId}`);
    },
    async list() {
      const all = await queue().getJobSchedulers(0, -1);
      return all.flatMap((s) => (s.key.startsWith(PREFIX) ? [Number(s.key.slice(PREFIX.length))] : []));
    },
  };
}
