import {
  type Audience,
  audienceSchema,
  type DeliveryMode,
  defaultRules,
  type SopRule,
  type SopTrigger,
  triggerParamsSchemas,
} from '../../../../shared/sop.js';
import { paramFields, TRIGGER_LABELS, toDisplay, toStored } from './params.js';

/**
 * The rule editor's form model and the body it sends. Parameters are held in display units (yuan,
 * not fen) and converted back on save; everything else is the rule as the API has it.
 */
export interface RuleForm {
  trigger: SopTrigger;
  name: string;
  enabled: boolean;
  params: Record<string, unknown>;
  audience: Audience;
  variants: Array<{ template: string; weight: number }>;
  deliveryMode: DeliveryMode;
  dueMinutes: number;
  cooldownDays: number;
  schedule: string | null;
}

function displayParams(trigger: SopTrigger, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of paramFields(trigger)) out[f.key] = toDisplay(f, stored[f.key] ?? f.defaultValue);
  return out;
}

export function formFromRule(rule: SopRule): RuleForm {
  return {
    trigger: rule.trigger,
    name: rule.name,
    enabled: rule.enabled,
    params: displayParams(rule.trigger, rule.params as Record<string, unknown>),
    audience: structuredClone(rule.audience),
    variants: rule.variants.map((v) => ({ template: v.template, weight: v.weight })),
    deliveryMode: rule.deliveryMode,
    dueMinutes: rule.dueMinutes,
    cooldownDays: rule.cooldownDays,
    schedule: rule.schedule,
  };
}

/** A new rule of a trigger, starting from that trigger's default rule (its messages and timing). */
export function newForm(trigger: SopTrigger): RuleForm {
  const base = defaultRules().find((r) => r.trigger === trigger)!;
  return {
    trigger,
    name: `${TRIGGER_LABELS[trigger]}（新规则）`,
    enabled: false,
    params: displayParams(trigger, triggerParamsSchemas[trigger].parse({}) as Record<string, unknown>),
    audience: audienceSchema.parse({}),
    variants: base.variants.map((v) => ({ template: v.template, weight: v.weight })),
    deliveryMode: base.deliveryMode,
    dueMinutes: base.dueMinutes,
    cooldownDays: base.cooldownDays,
    schedule: base.schedule,
  };
}

/** The body POST/PUT /api/sop-rules takes. */
export function payloadOf(form: RuleForm) {
  const params: Record<string, unknown> = {};
  for (const f of paramFields(form.trigger)) params[f.key] = toStored(f, form.params[f.key]);
  return {
    trigger: form.trigger,
    name: form.name,
    enabled: form.enabled,
    params,
    audience: form.audience,
    variants: form.variants.map((v) => ({ template: v.template, weight: v.weight })),
    deliveryMode: form.deliveryMode,
    dueMinutes: form.dueMinutes,
    cooldownDays: form.cooldownDays,
    schedule: form.schedule,
  };
}

export const SCHEDULE_PRESETS: Array<{ value: string | null; label: string }> = [
  { value: null, label: '不定时扫描（仅事件触发或手动运行）' },
  { value: '*/10 * * * *', label: '每 10 分钟' },
  { value: '*/30 * * * *', label: '每 30 分钟' },
  { value: '0 * * * *', label: '每小时整点' },
  { value: '0 10 * * *', label: '每天 10:00' },
  { value: '0 10 * * 1', label: '每周一 10:00' },
];

export function scheduleLabel(schedule: string | null): string {
  return SCHEDULE_PRESETS.find((p) => p.value === schedule)?.label ?? `自定义：${schedule}`;
}

/** Each variant's share of customers, from the weights (for display). */
export function variantShares(variants: ReadonlyArray<{ weight: number }>): number[] {
  const total = variants.reduce((s, v) => s + (Number.isFinite(v.weight) && v.weight > 0 ? v.weight : 0), 0);
  return variants.map((v) => (total > 0 && v.weight > 0 ? v.weight / total : 0));
}

/** Scan answer in words: 命中 / 新建 / 频控拦截 / 跳过. */
export function describeScan(r: {
  matched: number;
  created: number;
  capped: number;
  skipped: number;
}): string {
  return `命中 ${r.matched} 位客户，新建 ${r.created} 条任务，频控拦截 ${r.capped} 位，跳过 ${r.skipped} 位（已有任务或在冷却期内）`;
}
