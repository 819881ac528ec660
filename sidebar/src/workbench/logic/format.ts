/** Display formatting for report figures (the figures themselves come from the server). */

const DASH = '—';

/** 0.1234 → "12.3%" */
export function percent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  return `${(rate * 100).toFixed(digits)}%`;
}

/** A percentage WeCom already gives in percent: 85.5 → "85.5%" */
export function percentValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${Math.round(value * 10) / 10}%`;
}

/** Difference of two rates in percentage points: 0.04 → "+4.0 个百分点" */
export function percentPoints(diff: number): string {
  const pp = diff * 100;
  return `${pp > 0 ? '+' : pp < 0 ? '−' : '±'}${Math.abs(pp).toFixed(1)} 个百分点`;
}

/** 123456 (fen) → "¥1,234.56" */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Minutes as "3.5 分钟" / "1 小时 20 分钟". */
export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value < 60) return `${Math.round(value * 10) / 10} 分钟`;
  const h = Math.floor(value / 60);
  const m = Math.round(value - h * 60);
  return m ? `${h} 小时 ${m} 分钟` : `${h} 小时`;
}

/** p-value for people: "< 0.001" or three decimals. */
export function pValue(p: number | null): string {
  if (p === null) return DASH;
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** ISO instant → "MM-DD HH:mm" in Asia/Shanghai. */
export function shanghaiMinute(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const s = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

/** ISO instant → "YYYY-MM-DD HH:mm" in Asia/Shanghai. */
export function shanghaiDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const s = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** How long ago a due time passed: "2 小时" / "3 天" ("已逾期" when this clock disagrees with the server's). */
export function overdueFor(dueIso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(dueIso);
  if (ms <= 0) return '已逾期';
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} 分钟`;
  if (h < 48) return `${Math.round(h)} 小时`;
  return `${Math.round(h / 24)} 天`;
}

/** For text placed into chart tooltips, which ECharts renders as HTML. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
