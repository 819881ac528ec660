import { QUEUE_NAMES } from '../../server/jobs/catalogue.js';
import type { JobQueue } from '../../server/queue/job-queue.js';

/** Polls until `accept` holds or the time is up; returns the last value either way for expect(). */
export async function eventually<T>(
  fn: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until no queue has waiting, active or delayed jobs (the "drain" of integration tests). */
export async function drainQueues(jobs: JobQueue, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Two idle passes in a row: a job promoted from delayed to waiting between the two reads of
  // one pass could otherwise be missed by both.
  let idlePasses = 0;
  for (;;) {
    let busy = 0;
    for (const name of QUEUE_NAMES) {
      const queue = jobs.queue(name);
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
      busy += Object.values(counts).reduce((a, b) => a + b, 0);
      // the next run of a job scheduler waits as a delayed job; it is not work in flight, and neither
      // is a debounced high-intent evaluation (tests that want it run it with `promote()`)
      const delayed = await queue.getJobs(['delayed']);
      busy += delayed.filter(
        (j) => !j.id?.startsWith('repeat:') && !j.deduplicationId?.startsWith('sop-eval:'),
      ).length;
    }
    idlePasses = busy === 0 ? idlePasses + 1 : 0;
    if (idlePasses >= 2) return;
    if (Date.now() > deadline)
      throw new Error(`queues not drained after ${timeoutMs} ms (${busy} jobs left)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
