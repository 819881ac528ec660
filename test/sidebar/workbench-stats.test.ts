import { describe, expect, it } from 'vitest';
import {
  compareVariants,
  describeComparison,
  erf,
  MIN_SAMPLE,
  normalCdf,
  twoProportionTest,
  variantLabel,
} from '../../sidebar/src/workbench/logic/stats.js';

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(erf(0)).toBeCloseTo(0, 7);
    expect(erf(1)).toBeCloseTo(0.8427008, 6);
    expect(erf(-1)).toBeCloseTo(-0.8427008, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
    expect(normalCdf(-2.575829)).toBeCloseTo(0.005, 5);
    expect(normalCdf(8)).toBeCloseTo(1, 7);
  });
});

describe('twoProportionTest', () => {
  it('computes z and the two-sided p-value with the pooled standard error', () => {
    // 60/500 vs 40/500: pooled 0.1, se = sqrt(0.1*0.9*(2/500)) = 0.018974, z = 0.04/se = 2.1082
    const t = twoProportionTest(60, 500, 40, 500);
    expect(t.diff).toBeCloseTo(0.04, 10);
    expect(t.z).toBeCloseTo(2.10819, 4);
    expect(t.pValue).toBeCloseTo(0.03502, 4);
    expect(t.verdict).toBe('significant');
    expect(t.ci95![0]).toBeCloseTo(0.04 - 1.96 * Math.sqrt((0.12 * 0.88 + 0.08 * 0.92) / 500), 10);
    expect(t.ci95![1]).toBeGreaterThan(t.ci95![0]);
  });

  it('is symmetric: swapping the groups flips z, keeps p', () => {
    const a = twoProportionTest(30, 200, 20, 210);
    const b = twoProportionTest(20, 210, 30, 200);
    expect(b.z).toBeCloseTo(-a.z!, 10);
    expect(b.pValue).toBeCloseTo(a.pValue!, 10);
    expect(b.verdict).toBe(a.verdict);
  });

  it('reads a real difference in large samples as significant and a small one as noise', () => {
    expect(twoProportionTest(150, 1000, 100, 1000).verdict).toBe('significant');
    const noise = twoProportionTest(105, 1000, 100, 1000);
    expect(noise.verdict).toBe('not_significant');
    expect(noise.pValue!).toBeGreaterThan(0.5);
    const same = twoProportionTest(50, 500, 50, 500);
    expect(same).toMatchObject({ diff: 0, z: 0, verdict: 'not_significant' });
    expect(same.pValue).toBeCloseTo(1, 6);
  });

  it('says 样本不足 below the minimum sample or with too few conversions, however big the gap', () => {
    expect(twoProportionTest(8, 10, 1, 10).verdict).toBe('insufficient');
    expect(twoProportionTest(20, MIN_SAMPLE - 1, 2, 100).verdict).toBe('insufficient');
    // 1000 sends each but only 3 conversions in all: the normal approximation does not hold
    expect(twoProportionTest(3, 1000, 0, 1000).verdict).toBe('insufficient');
    // …and nearly everyone converting is as thin on the other side
    expect(twoProportionTest(100, 100, 98, 100).verdict).toBe('insufficient');
    // exactly at the bounds it is judged
    expect(twoProportionTest(5, 30, 5, 30).verdict).toBe('not_significant');
  });

  it('has no z when there is no variation at all', () => {
    expect(twoProportionTest(0, 50, 0, 50)).toMatchObject({ z: null, pValue: null, verdict: 'insufficient' });
    expect(twoProportionTest(0, 0, 0, 0)).toMatchObject({
      diff: 0,
      z: null,
      ci95: null,
      verdict: 'insufficient',
    });
  });

  it('rejects impossible input', () => {
    expect(() => twoProportionTest(5, 4, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionTest(-1, 4, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionTest(1.5, 4, 1, 10)).toThrow(RangeError);
  });
});

describe('compareVariants', () => {
  const v = (variant: number, converted: number, sent: number) => ({
    variant,
    converted,
    sent,
    conversionRate: sent ? Math.round((converted / sent) * 10_000) / 10_000 : 0,
  });

  it('compares the leading variant with each other one', () => {
    const out = compareVariants([v(0, 40, 500), v(1, 60, 500), v(2, 45, 500)]);
    expect(out.map((c) => [c.leader.variant, c.other.variant])).toEqual([
      [1, 2],
      [1, 0],
    ]);
    expect(out[1]!.diff).toBeCloseTo(0.04, 10);
    expect(out[1]!.test.verdict).toBe('significant');
    expect(describeComparison(out[1]!)).toContain('话术B 明显优于 话术A');
  });

  it('breaks ties by sample size, then by variant', () => {
    expect(compareVariants([v(0, 5, 50), v(1, 10, 100)])[0]!.leader.variant).toBe(1);
    expect(compareVariants([v(1, 5, 50), v(0, 5, 50)])[0]!.leader.variant).toBe(0);
  });

  it('needs two variants', () => {
    expect(compareVariants([])).toEqual([]);
    expect(compareVariants([v(0, 1, 10)])).toEqual([]);
  });

  it('explains 样本不足 and 不显著 in words', () => {
    const [small] = compareVariants([v(0, 3, 10), v(1, 1, 10)]);
    expect(describeComparison(small!)).toMatch(/^样本不足/);
    const [flat] = compareVariants([v(0, 100, 1000), v(1, 105, 1000)]);
    expect(describeComparison(flat!)).toContain('差异不显著');
  });

  it('labels variants with letters', () => {
    expect([0, 1, 2].map(variantLabel)).toEqual(['话术A', '话术B', '话术C']);
  });
});
