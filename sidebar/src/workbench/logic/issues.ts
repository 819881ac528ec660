/**
 * Server-side validation (400 `issues[].path`) shown next to the field it concerns, in Chinese.
 * The rule editor's fields are keyed by the same dotted paths the server answers
 * (`params.withinHours`, `variants.0.template`, `audience.staffUserids`).
 */

export interface Issue {
  path: string;
  message: string;
}

const PATTERNS: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^must not be empty$/i, () => '不能为空'],
  [/^needs at least one variant$/i, () => '至少需要一套话术'],
  [/^at most (\d+) variants$/i, (m) => `最多 ${m[1]} 套话术`],
  [/^must be a 5-field cron pattern/i, () => '需为 5 段 cron 表达式，例如 0 10 * * *（北京时间）'],
  [/^must be HH:MM/i, () => '时间格式为 HH:MM，例如 21:00'],
  [/^unknown variable \{\{(\w+)\}\}/i, (m) => `未知变量 {{${m[1]}}}，请用上方按钮插入变量`],
  [/^\{\{(\w+)\}\} is not available for (\w+) rules/i, (m) => `该触发类型不能使用变量 {{${m[1]}}}`],
  [
    /^Too small: expected number to be >(=?)(-?[\d.]+)/i,
    (m) => (m[1] ? `不能小于 ${m[2]}` : `必须大于 ${m[2]}`),
  ],
  [
    /^Too big: expected number to be <(=?)(-?[\d.]+)/i,
    (m) => (m[1] ? `不能大于 ${m[2]}` : `必须小于 ${m[2]}`),
  ],
  [/^Too small: expected string to have >=?1 characters?/i, () => '不能为空'],
  [/^Too big: expected string to have <=?(\d+) characters?/i, (m) => `不能超过 ${m[1]} 个字`],
  [/^Too small: expected array to have >=?(\d+) items?/i, (m) => `至少选择 ${m[1]} 项`],
  [/^Too big: expected array to have <=?(\d+) items?/i, (m) => `最多 ${m[1]} 项`],
  [/^Invalid input: expected int/i, () => '请输入整数'],
  [/^Invalid input: expected number/i, () => '请输入数字'],
  [/^Invalid input: expected string/i, () => '请输入文字'],
  [/^Invalid input: expected boolean/i, () => '请选择是或否'],
  [/^Invalid option/i, () => '不是可选的值'],
  [/^Unrecognized key/i, () => '不认识的字段'],
];

export function translateIssue(message: string): string {
  for (const [re, fn] of PATTERNS) {
    const m = message.match(re);
    if (m) return fn(m);
  }
  return message;
}

/** path → Chinese message (the first issue of each path). */
export function issuesByPath(issues: readonly Issue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path] ??= translateIssue(i.message);
  return out;
}

/** Issues whose path no field of `known` shows, so the form lists them at the top. */
export function unplacedIssues(issues: readonly Issue[], known: ReadonlySet<string>): Issue[] {
  return issues.filter((i) => !known.has(i.path));
}
