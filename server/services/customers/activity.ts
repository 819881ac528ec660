import { ACTIVITY_HORIZON_DAYS } from '../../../shared/sop.js';
import { addDays, shanghaiDay, shanghaiDayStart } from '../sop/time.js';

/**
 * A customer's behaviour per Asia/Shanghai day, as the customer row keeps it for the churn scan
 * (repositories/customer-activity.ts holds the SQL that computes it from the stored events):
 * the days with events in the horizon, ascending; the running total of events through each of
 * them; the days with a member-center visit. `null` when the horizon holds no events.
 */
export interface Activity {
  days: string[];
  counts: number[];
  memberCenterDays: string[];
}

export interface ActivityEvent {
  occurredAt: Date;
  kind: string;
}

/** The first day the summary keeps at `now`: the horizon is this day and the ones after it. */
export function activityHorizonStart(now: Date): Date {
  return shanghaiDayStart(addDays(shanghaiDay(now), 1 - ACTIVITY_HORIZON_DAYS));
}

/**
 * The stored summary with newly stored events added (each counted once: the caller passes only
 * events that were not stored before), and the days before the horizon dropped. Pure; ingest uses
 * it so that a new event costs no read of the customer's older events.
 */
export function mergeActivity(
  stored: Activity | null,
  events: readonly ActivityEvent[],
  now: Date,
): Activity | null {
  const first = shanghaiDay(activityHorizonStart(now));
  const perDay = new Map<string, number>();
  const visits = new Set(stored?.memberCenterDays ?? []);
  stored?.days.forEach((day, i) => {
    perDay.set(day, stored.counts[i]! - (i > 0 ? stored.counts[i - 1]! : 0));
  });
  for (const e of events) {
    const day = shanghaiDay(e.occurredAt);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    if (e.kind === 'member_center_visit') visits.add(day);
  }
  const days = [...perDay.keys()].filter((d) => d >= first).sort();
  if (days.length === 0) return null;
  let total = 0;
  const counts = days.map((d) => {
    total += perDay.get(d)!;
    return total;
  });
  return { days, counts, memberCenterDays: days.filter((d) => visits.has(d)) };
}
