/**
 * Client-side CSV for every workbench table: a UTF-8 BOM so Excel opens Chinese correctly, CRLF
 * rows (RFC 4180), quoting where needed, and text cells that a spreadsheet would run as a formula
 * defused. Pure; the download itself is in download.ts.
 */

export interface CsvColumn<R> {
  label: string;
  value: (row: R) => string | number | boolean | null | undefined;
}

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = String(value);
  // a text cell starting like a formula is shown as text, not evaluated (CSV injection)
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function buildCsv<R>(columns: readonly CsvColumn<R>[], rows: readonly R[]): string {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** `任务完成_2024-06-01_2024-06-07.csv`: characters a file system refuses become `_`. */
export function csvFileName(title: string, range?: { from: string; to: string }): string {
  const base = range ? `${title}_${range.from}_${range.to}` : title;
  return `${base.replace(/[\\/:*?"<>|\s]+/g, '_')}.csv`;
}
