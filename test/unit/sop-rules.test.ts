import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SopRules } from '../../server/services/sop/rules.js';
import { churnRiskParamsSchema, sopRuleInputSchema } from '../../shared/sop.js';
import { openSopDb, type SopDb, silentLogger } from '../support/sop-db.js';

let t: SopDb;
beforeAll(async () => {
  t = await openSopDb(new Date('2024-05-15T02:00:00Z'));
});
afterAll(async () => {
  await t?.close();
});

describe('SOP rules', () => {
  it('a new installation has the three default rules with their thresholds as params', async () => {
    const rules = await t.rules.list();
    expect(rules.map((r) => [r.trigger, r.enabled, r.schedule])).toEqual([
      ['high_intent', true, '*/10 * * * *'],
      ['churn_risk', true, '0 10 * * *'],
      ['coupon_expiry', true, '0 * * * *'],
    ]);
    expect(rules[1]!.params).toEqual(churnRiskParamsSchema.parse({}));
    expect(rules[1]!.params).toMatchObject({
      minAovFen: 80_000,
      noOrderDays: 30,
      minDropPercent: 80,
      silentDays: 90,
    });
    expect(rules[0]!.params).toMatchObject({
      productViews: 3,
      productViewHours: 72,
      cartAbandonHours: 24,
      tagName: '高意向',
    });
    expect(rules[2]!.params).toMatchObject({ withinHours: 24, conversionDays: 7 });
    for (const r of rules) expect(r.variants.length).toBeGreaterThanOrEqual(2);
  });

  it('validates: per-trigger params with defaults, 1–3 variants, known variables, names the field', async () => {
    const ok = sopRuleInputSchema.parse({
      trigger: 'coupon_expiry',
      name: 'n',
      variants: [{ template: '{{ couponName }}!' }],
    });
    expect(ok).toMatchObject({
      deliveryMode: 'staff_task',
      dueMinutes: 240,
      cooldownDays: 7,
      schedule: null,
      enabled: true,
    });
    expect(ok.variants).toEqual([{ template: '{{couponName}}!', weight: 1 }]);
    const issues = (input: unknown) => {
      const r = sopRuleInputSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ trigger: 'high_intent', name: 'n', variants: [] })).toEqual([
      'variants: needs at least one variant',
    ]);
    const four = Array.from({ length: 4 }, () => ({ template: 'x' }));
    expect(issues({ trigger: 'high_intent', name: 'n', variants: four })).toEqual([
      'variants: at most 3 variants',
    ]);
    expect(issues({ trigger: 'high_intent', name: 'n', variants: [{ template: '{{foo}}' }] })[0]).toMatch(
      /^variants\.0\.template: unknown variable \{\{foo\}\}/,
    );
    expect(
      issues({
        trigger: 'high_intent',
        name: 'n',
        variants: [{ template: 'x' }],
        params: { productViewz: 3 },
      })[0],
    ).toMatch(/^params: /);
    expect(
      issues({ trigger: 'high_intent', name: 'n', variants: [{ template: 'x' }], schedule: 'every day' }),
    ).toEqual(['schedule: must be a 5-field cron pattern, e.g. "0 10 * * *"']);
    expect(issues({ trigger: 'nope', name: 'n', variants: [{ template: 'x' }] })[0]).toMatch(/^trigger: /);
    // churn windows are whole days, two of them within the 62 days each customer's activity keeps
    const churn = (interactionWindowDays: number) =>
      issues({
        trigger: 'churn_risk',
        name: 'n',
        variants: [{ template: 'x' }],
        params: { interactionWindowDays },
      });
    expect(churn(31)).toEqual([]);
    expect(churn(32)[0]).toMatch(/^params\.interactionWindowDays: /);
    expect(churn(1.5)[0]).toMatch(/^params\.interactionWindowDays: /);
  });

  it('merges updates key by key, keeps the job schedulers in step', async () => {
    const scheduled = new Map<number, string>();
    const rules = new SopRules({
      db: t.db,
      clock: t.clock,
      logger: silentLogger,
      schedules: {
        upsert: async (id, p) => void scheduled.set(id, p),
        remove: async (id) => void scheduled.delete(id),
        list: async () => [...scheduled.keys(), 999],
      },
    });
    expect(await rules.syncSchedules()).toEqual({ upserted: 3, removed: 1 });
    const churn = await t.ruleId('churn_risk');
    const updated = await rules.update(churn, {
      params: { silentDays: 60 },
      audience: { lifecycleStages: ['silent'] },
      enabled: false,
    });
    expect(updated.params).toMatchObject({ silentDays: 60, minAovFen: 80_000 });
    expect(updated.audience.lifecycleStages).toEqual(['silent']);
    expect(scheduled.has(churn)).toBe(false);
    await expect(rules.update(churn, { dueMinutes: 0 })).rejects.toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'dueMinutes', message: expect.any(String) }],
    });
    await expect(rules.get(12345)).rejects.toMatchObject({ code: 'not_found' });
    const created = await rules.create({
      trigger: 'churn_risk',
      name: '沉睡唤醒',
      variants: [{ template: '{{name}}' }],
      schedule: '0 11 * * 1',
    });
    expect(scheduled.get(created.id)).toBe('0 11 * * 1');
  });
});
