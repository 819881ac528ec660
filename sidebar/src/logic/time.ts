/**
 * Dates as salespeople in China read them: Asia/Shanghai (UTC+8 all year, no daylight saving),
 * computed by offset so the result never depends on the device's own time zone.
 */

const OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

function shanghai(at: Date | string): Date | undefined {
  const d = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? undefined : new Date(d.getTime() + OFFSET_MS);
}

/** `YYYY-MM-DD` of the instant in Shanghai. */
export function shanghaiDay(at: Date | string): string {
  return shanghai(at)?.toISOString().slice(0, 10) ?? '';
}

/** `HH:mm` in Shanghai. */
export function shanghaiTime(at: Date | string): string {
  return shanghai(at)?.toISOString().slice(11, 16) ?? '';
}

/** `YYYY-MM-DD HH:mm` in Shanghai. */
export function shanghaiDateTime(at: Date | string): string {
  const s = shanghai(at)?.toISOString();
  return s ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : '';
}

/** Whole days between two Shanghai dates (`YYYY-MM-DD`), b − a. */
function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** 今天 / 昨天 / `M月D日` (this year) / `YYYY年M月D日`. */
export function dayLabel(day: string, now: Date): string {
  const today = shanghaiDay(now);
  const diff = dayDiff(day, today);
  if (diff === 0) return '今天';
  if (diff === 1) return '昨天';
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return day.slice(0, 4) === today.slice(0, 4) ? `${m}月${d}日` : `${y}年${m}月${d}日`;
}

/** A short date for lists: `HH:mm` today, 昨天 HH:mm, `M月D日` this year, else `YYYY-MM-DD`. */
export function shortDateTime(at: Date | string, now: Date): string {
  const day = shanghaiDay(at);
  if (!day) return '';
  const label = dayLabel(day, now);
  if (label === '今天') return shanghaiTime(at);
  if (label === '昨天') return `昨天 ${shanghaiTime(at)}`;
  return day.slice(0, 4) === shanghaiDay(now).slice(0, 4) ? label : day;
}

/** Calendar days (Shanghai) from `at` to `now`; 0 on the same day. */
export function daysSince(at: Date | string, now: Date): number {
  const day = shanghaiDay(at);
  return day ? Math.max(0, dayDiff(day, shanghaiDay(now))) : 0;
}

/**
 * What `<input type="datetime-local">` gives (`YYYY-MM-DDTHH:mm`), read as Shanghai wall time,
 * → an ISO instant with offset for the API. Undefined for empty or malformed input.
 */
export function shanghaiLocalToIso(local: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?$/.exec(local.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}:00+08:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The instant as Shanghai wall time for `<input type="datetime-local">`. */
export function isoToShanghaiLocal(at: Date | string): string {
  const s = shanghai(at)?.toISOString();
  return s ? s.slice(0, 16) : '';
}
