import { addDays, DAY_MS, shanghaiDayStart } from '../sop/time.js';

/** Asia/Shanghai calendar arithmetic for months and weeks (UTC+8, no daylight saving). */

export function monthStart(month: string): Date {
  return shanghaiDayStart(`${month}-01`);
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** [start, end) instants of a `YYYY-MM` month. */
export function monthBounds(month: string): { start: Date; end: Date } {
  return { start: monthStart(month), end: monthStart(nextMonth(month)) };
}

/** Monday of the week a day (`YYYY-MM-DD`) falls in. */
export function weekMonday(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * Buckets of the days `from`–`to` (inclusive): calendar weeks (Monday first) or months, each
 * clipped to the range; `period` is the bucket's first day within the range.
 */
export function buckets(
  from: string,
  to: string,
  granularity: 'week' | 'month',
): Array<{ period: string; start: Date; end: Date }> {
  const out: Array<{ period: string; start: Date; end: Date }> = [];
  const rangeEnd = shanghaiDayStart(addDays(to, 1));
  let day = from;
  while (shanghaiDayStart(day) < rangeEnd) {
    const next = granularity === 'week' ? addDays(weekMonday(day), 7) : `${nextMonth(day.slice(0, 7))}-01`;
    const start = shanghaiDayStart(day);
    const end = new Date(Math.min(shanghaiDayStart(next).getTime(), rangeEnd.getTime()));
    out.push({ period: day, start, end });
    day = next;
  }
  return out;
}

export function defaultGranularity(from: string, to: string): 'week' | 'month' {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS <= 62 ? 'week' : 'month';
}
