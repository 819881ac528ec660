/** Date ranges in Asia/Shanghai calendar days (UTC+8, no daylight saving), as the reports take them. */

export interface DayRange {
  from: string;
  to: string;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in Asia/Shanghai. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysOf(range: DayRange): string[] {
  const out: string[] = [];
  for (let d = range.from; d <= range.to && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}

export type RangePreset = 'last7' | 'last30' | 'thisMonth' | 'lastMonth';

export const RANGE_PRESETS: Array<{ key: RangePreset; label: string }> = [
  { key: 'last7', label: '近7天' },
  { key: 'last30', label: '近30天' },
  { key: 'thisMonth', label: '本月' },
  { key: 'lastMonth', label: '上月' },
];

export function presetRange(preset: RangePreset, now: Date): DayRange {
  const today = shanghaiDay(now);
  const monthStart = `${today.slice(0, 7)}-01`;
  switch (preset) {
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'thisMonth':
      return { from: monthStart, to: today };
    case 'lastMonth': {
      const lastDay = addDays(monthStart, -1);
      return { from: `${lastDay.slice(0, 7)}-01`, to: lastDay };
    }
  }
}

/** The preset a range equals today, if any (to highlight it). */
export function presetOf(range: DayRange, now: Date): RangePreset | undefined {
  return RANGE_PRESETS.find((p) => {
    const r = presetRange(p.key, now);
    return r.from === range.from && r.to === range.to;
  })?.key;
}

/** Orders the ends and keeps the span within the reports' 366 days (the later end wins). */
export function normalizeRange(range: DayRange): DayRange {
  let { from, to } = range.from <= range.to ? range : { from: range.to, to: range.from };
  if (daysBetween(from, to) >= 366) from = addDays(to, -365);
  return { from, to };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}
