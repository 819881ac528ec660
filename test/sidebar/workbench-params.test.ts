import { describe, expect, it } from 'vitest';
import {
  defaultRules,
  SOP_TRIGGERS,
  sopRuleInputSchema,
  TEMPLATE_VARIABLES,
  triggerParamsSchemas,
} from '../../shared/sop.js';
import { issuesByPath, translateIssue, unplacedIssues } from '../../sidebar/src/workbench/logic/issues.js';
import {
  fieldLabel,
  inputMin,
  PARAM_META,
  paramFields,
  toDisplay,
  toStored,
  variablesFor,
} from '../../sidebar/src/workbench/logic/params.js';
import {
  describeScan,
  formFromRule,
  newForm,
  payloadOf,
  variantShares,
} from '../../sidebar/src/workbench/logic/rule-form.js';

describe('trigger parameter fields come from shared/sop.ts', () => {
  it('label every field of every trigger’s schema, and nothing else', () => {
    for (const t of SOP_TRIGGERS) {
      expect(Object.keys(PARAM_META[t]).sort()).toEqual(Object.keys(triggerParamsSchemas[t].shape).sort());
      expect(paramFields(t).map((f) => f.key)).toEqual(Object.keys(triggerParamsSchemas[t].shape));
    }
  });

  it('carry the schema’s bounds, defaults and a unit in the label', () => {
    const hi = Object.fromEntries(paramFields('high_intent').map((f) => [f.key, f]));
    expect(hi.productViews).toMatchObject({
      kind: 'integer',
      min: 1,
      max: 1000,
      defaultValue: 3,
      minExclusive: false,
    });
    expect(fieldLabel(hi.productViews!)).toBe('浏览次数阈值（次）');
    expect(hi.productViewHours).toMatchObject({
      kind: 'number',
      min: 0,
      minExclusive: true,
      max: 2160,
      defaultValue: 72,
    });
    expect(fieldLabel(hi.productViewHours!)).toBe('浏览时间窗口（小时）');
    expect(inputMin(hi.productViewHours!)).toBeCloseTo(0.1, 10);
    expect(hi.tagName).toMatchObject({ kind: 'text', maxLength: 64, defaultValue: '高意向' });
    const coupon = paramFields('coupon_expiry')[0]!;
    expect(coupon).toMatchObject({ key: 'withinHours', defaultValue: 24 });
    expect(fieldLabel(coupon)).toBe('到期时间窗口（小时）');
  });

  it('show fen as yuan and store yuan as fen', () => {
    const aov = paramFields('churn_risk').find((f) => f.key === 'minAovFen')!;
    expect(fieldLabel(aov)).toBe('客单价门槛（元）');
    expect(aov.defaultValue).toBe(80_000);
    expect(toDisplay(aov, 80_000)).toBe(800);
    expect(toStored(aov, 800.5)).toBe(80_050);
    expect(aov.max).toBeUndefined();
  });

  it('offer only the variables a trigger can fill', () => {
    expect(variablesFor('high_intent').map((v) => v.name)).toEqual(['name', 'staffName']);
    expect(variablesFor('coupon_expiry').map((v) => v.name)).toEqual(Object.keys(TEMPLATE_VARIABLES));
  });
});

describe('rule form', () => {
  it('round-trips a default rule through the form into a body the server schema accepts', () => {
    for (const draft of defaultRules()) {
      const rule = { ...draft, id: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };
      const form = formFromRule(rule);
      const body = payloadOf(form);
      expect(body.params).toEqual(draft.params);
      expect(sopRuleInputSchema.parse(body)).toEqual(draft);
    }
  });

  it('starts a new rule from the trigger’s defaults, disabled', () => {
    const form = newForm('coupon_expiry');
    expect(form).toMatchObject({
      trigger: 'coupon_expiry',
      enabled: false,
      params: { withinHours: 24, conversionDays: 7 },
    });
    expect(sopRuleInputSchema.safeParse(payloadOf(form)).success).toBe(true);
    expect(newForm('churn_risk').params.minAovFen).toBe(800);
  });

  it('shares customers by weight', () => {
    expect(variantShares([{ weight: 1 }, { weight: 3 }])).toEqual([0.25, 0.75]);
    expect(variantShares([{ weight: 0 }])).toEqual([0]);
  });

  it('describes a scan', () => {
    expect(describeScan({ matched: 3, created: 2, capped: 1, skipped: 0 })).toBe(
      '命中 3 位客户，新建 2 条任务，频控拦截 1 位，跳过 0 位（已有任务或在冷却期内）',
    );
  });
});

describe('server issues next to fields', () => {
  it('translates the server’s validation messages', () => {
    const parsed = sopRuleInputSchema.safeParse({
      ...payloadOf(newForm('coupon_expiry')),
      name: ' ',
      params: { withinHours: 0 },
      variants: [{ template: '{{foo}} 您好', weight: 1 }],
      schedule: 'every day',
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const byPath = issuesByPath(issues);
    expect(byPath).toMatchObject({
      name: '不能为空',
      'params.withinHours': '必须大于 0',
      schedule: '需为 5 段 cron 表达式，例如 0 10 * * *（北京时间）',
    });
    expect(byPath['variants.0.template']).toContain('未知变量 {{foo}}');
  });

  it('keeps unknown messages and lists issues no field shows', () => {
    expect(translateIssue('something new')).toBe('something new');
    expect(translateIssue('Too big: expected number to be <=2160')).toBe('不能大于 2160');
    expect(translateIssue('{{couponName}} is not available for high_intent rules')).toBe(
      '该触发类型不能使用变量 {{couponName}}',
    );
    expect(
      unplacedIssues(
        [
          { path: 'x', message: 'm' },
          { path: 'name', message: 'n' },
        ],
        new Set(['name']),
      ),
    ).toEqual([{ path: 'x', message: 'm' }]);
  });
});
