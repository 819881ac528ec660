import { sql } from 'kysely';
import { SOP_PRESSURE_SETTING, type SopPressure, sopPressureSchema } from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import { getSetting } from '../../repositories/settings.js';
import {
  DAY_MS,
  MINUTE_MS,
  parseClockTime,
  shanghaiDay,
  shanghaiDayStart,
  shanghaiMinuteOfDay,
} from './time.js';

/**
 * Contact pressure: the per-customer cap across rules, quiet hours, and the cooldown (a rule
 * column, applied in the task-creation statement).
 *
 * The cap is made race-safe with ONE transaction-level advisory lock (CAP_LOCK_KEY) that every
 * task-creating transaction takes before its single INSERT … SELECT. The statement counts the
 * customer's recent tasks and inserts in the same snapshot; taking the lock in an earlier statement
 * of the transaction means that snapshot (READ COMMITTED: one per statement) already contains
 * whatever the previous holder committed. Per-customer locks were the alternative, but a scan
 * touching 100,000 customers would need 100,000 locks (beyond max_locks_per_transaction), and
 * SERIALIZABLE would turn every overlap into a retry. A scan is one statement of well under a
 * second, so serializing scans costs nothing that matters; the unique key (rule, customer, window)
 * independently makes a second task for the same occasion impossible.
 */
export const CAP_LOCK_KEY = 7_305_297_001;

/**
 * Takes the cap lock in a task-creating transaction, with two settings for the transaction: JIT
 * off (the statement's cost estimate trips PostgreSQL's JIT threshold, and compiling takes longer
 * than running it), and room for a bulk scan's sorts and hashes in memory (at the default 4 MB, a
 * scan creating 100,000 tasks sorted on disk three times). One round trip; PGlite has no JIT, and
 * the setting is harmless there.
 */
export async function lockForTaskCreation(trx: Db): Promise<void> {
  await sql`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true),
    pg_advisory_xact_lock(${CAP_LOCK_KEY}::bigint)`.execute(trx);
}

export async function loadPressure(db: Db): Promise<SopPressure> {
  const stored = await getSetting<unknown>(db, SOP_PRESSURE_SETTING, {});
  const parsed = sopPressureSchema.safeParse(stored);
  return parsed.success ? parsed.data : sopPressureSchema.parse({});
}

type Quiet = SopPressure['quietHours'];

function window(q: Quiet): { start: number; end: number } | undefined {
  if (!q) return undefined;
  const start = parseClockTime(q.start);
  const end = parseClockTime(q.end);
  return start === end ? undefined : { start, end };
}

/** Inside quiet hours at this instant (start inclusive, end exclusive; may wrap midnight). */
export function isQuiet(at: Date, q: Quiet): boolean {
  const w = window(q);
  if (!w) return false;
  const m = shanghaiMinuteOfDay(at);
  return w.start > w.end ? m >= w.start || m < w.end : m >= w.start && m < w.end;
}

/** The first instant after `at` that is `minute` past a Shanghai midnight. */
function nextAtMinute(at: Date, minute: number): Date {
  const today = shanghaiDayStart(shanghaiDay(at)).getTime() + minute * MINUTE_MS;
  return new Date(today > at.getTime() ? today : today + DAY_MS);
}

/** When the quiet window containing `at` ends (`at` itself when it is not quiet). */
export function quietEnd(at: Date, q: Quiet): Date {
  const w = window(q);
  return w && isQuiet(at, q) ? nextAtMinute(at, w.end) : at;
}

/**
 * The due time of a task created at `now`: `minutes` of time outside quiet hours. A task created
 * at 20:59 with 240 minutes is due at 12:59 the next day; created at 21:00 or 08:59, at 13:00.
 */
export function dueAfter(now: Date, minutes: number, q: Quiet): Date {
  const w = window(q);
  let remaining = minutes * MINUTE_MS;
  if (!w) return new Date(now.getTime() + remaining);
  let t = quietEnd(now, q);
  for (;;) {
    const stop = nextAtMinute(t, w.start);
    if (t.getTime() + remaining <= stop.getTime()) return new Date(t.getTime() + remaining);
    remaining -= stop.getTime() - t.getTime();
    t = quietEnd(stop, q);
  }
}
