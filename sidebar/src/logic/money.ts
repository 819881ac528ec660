/**
 * Money, one helper for the whole sidebar. The API answers integer fen in fields named `…Fen`;
 * a few places carry yuan as decimal text (e.g. "199.00"). Both print as `¥1,234.50`.
 */

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** Decimal yuan text ("199", "199.5", "-12.30") → integer fen, without floating-point drift. */
export function yuanTextToFen(text: string): number | undefined {
  const m = /^\s*(-)?(\d+)(?:\.(\d{1,2})\d*)?\s*$/.exec(text);
  if (!m) return undefined;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/**
 * `formatMoney(123450)` → `¥1,234.50`; `formatMoney('199')` → `¥199.00`.
 * Numbers are fen; strings are yuan. Anything unreadable prints as `¥—`.
 */
export function formatMoney(amount: number | string | null | undefined): string {
  const fen = typeof amount === 'string' ? yuanTextToFen(amount) : amount;
  if (fen === undefined || fen === null || !Number.isFinite(fen)) return '¥—';
  const whole = Math.round(Math.abs(fen));
  const yuan = String(Math.floor(whole / 100)).replace(GROUPS, ',');
  const cents = String(whole % 100).padStart(2, '0');
  return `${fen < 0 ? '-' : ''}¥${yuan}.${cents}`;
}
