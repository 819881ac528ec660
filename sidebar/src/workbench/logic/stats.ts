/**
 * A/B statistics for SOP message variants: a two-proportion z-test on conversions per message
 * sent. Plain TypeScript, no DOM — test/sidebar/workbench-stats.test.ts exercises it.
 */

/** Below this many sends in either variant the read is 样本不足, whatever the numbers say. */
export const MIN_SAMPLE = 30;
/** …and the normal approximation needs at least this many expected conversions and non-conversions. */
export const MIN_EXPECTED = 5;
/** Two-sided significance level. */
export const ALPHA = 0.05;

export type Verdict = 'insufficient' | 'significant' | 'not_significant';

export const VERDICT_LABELS: Record<Verdict, string> = {
  insufficient: '样本不足',
  significant: '差异显著',
  not_significant: '差异不显著',
};

export interface ProportionTest {
  /** p1 − p2 */
  diff: number;
  /** null when the test cannot be computed (no variation at all) */
  z: number | null;
  /** two-sided p-value; null with z */
  pValue: number | null;
  /** 95% confidence interval of p1 − p2 (unpooled standard error); null when n is 0 */
  ci95: [number, number] | null;
  verdict: Verdict;
}

/** erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-ax * ax);
  return sign * y;
}

/** Standard normal cumulative distribution. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/**
 * Two-proportion z-test of x1/n1 against x2/n2 with the pooled standard error. The verdict is
 * `insufficient` unless both groups have MIN_SAMPLE trials and MIN_EXPECTED expected successes and
 * failures under the pooled rate — otherwise the normal approximation (and a supervisor's
 * conclusion) is not to be trusted.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  for (const [v, name] of [
    [x1, 'x1'],
    [n1, 'n1'],
    [x2, 'x2'],
    [n2, 'n2'],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  if (x1 > n1 || x2 > n2) throw new RangeError('successes cannot exceed trials');
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const diff = p1 - p2;
  const ci95 =
    n1 > 0 && n2 > 0
      ? (() => {
          const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
          return [diff - 1.96 * se, diff + 1.96 * se] as [number, number];
        })()
      : null;
  const pooled = n1 + n2 > 0 ? (x1 + x2) / (n1 + n2) : 0;
  const se = Math.sqrt(pooled * (1 - pooled) * (n1 > 0 && n2 > 0 ? 1 / n1 + 1 / n2 : 0));
  const z = se > 0 ? diff / se : null;
  const pValue = z === null ? null : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  const enough = [n1, n2].every(
    (n) => n >= MIN_SAMPLE && n * pooled >= MIN_EXPECTED && n * (1 - pooled) >= MIN_EXPECTED,
  );
  const verdict: Verdict =
    !enough || pValue === null ? 'insufficient' : pValue < ALPHA ? 'significant' : 'not_significant';
  return { diff, z, pValue, ci95, verdict };
}

export interface VariantFigures {
  variant: number;
  sent: number;
  converted: number;
  /** the report's converted / sent */
  conversionRate: number;
}

export interface VariantComparison<V extends VariantFigures = VariantFigures> {
  leader: V;
  other: V;
  /** leader's conversion rate minus the other's, as the report gives them */
  diff: number;
  test: ProportionTest;
}

/**
 * Compares one rule's leading variant (highest conversion rate; then more sends; then the lower
 * index) with each other variant. Fewer than two variants → nothing to compare.
 */
export function compareVariants<V extends VariantFigures>(variants: readonly V[]): VariantComparison<V>[] {
  if (variants.length < 2) return [];
  const sorted = [...variants].sort(
    (a, b) => b.conversionRate - a.conversionRate || b.sent - a.sent || a.variant - b.variant,
  );
  const leader = sorted[0]!;
  return sorted.slice(1).map((other) => ({
    leader,
    other,
    diff: leader.conversionRate - other.conversionRate,
    test: twoProportionTest(leader.converted, leader.sent, other.converted, other.sent),
  }));
}

/** 0 → 话术A, 1 → 话术B, … */
export function variantLabel(variant: number): string {
  return `话术${String.fromCharCode(65 + variant)}`;
}

/** A sentence a supervisor reads next to the numbers. */
export function describeComparison(c: VariantComparison): string {
  const a = variantLabel(c.leader.variant);
  const b = variantLabel(c.other.variant);
  switch (c.test.verdict) {
    case 'insufficient':
      return `样本不足：每套话术至少发送 ${MIN_SAMPLE} 次、且转化与未转化都足够多时才能判断，目前 ${a} 与 ${b} 的差异可能只是随机波动`;
    case 'significant':
      return `${a} 明显优于 ${b}（p < ${ALPHA}），差异不太可能是随机波动`;
    case 'not_significant':
      return `${a} 与 ${b} 的差异不显著（p ≥ ${ALPHA}），暂不能判定谁更好，可继续轮测积累样本`;
  }
}
