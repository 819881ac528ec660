import type { z } from 'zod';
import {
  type LIFECYCLE_STAGES,
  SOP_TRIGGERS,
  type SopTrigger,
  TEMPLATE_VARIABLES,
  type TemplateVariable,
  triggerParamsSchemas,
} from '../../../../shared/sop.js';

/**
 * The rule editor's trigger parameters: which fields a trigger has, their type, bounds and
 * defaults come from shared/sop.ts's param schemas; only the Chinese label, unit, help text and
 * display scale are written here. test/sidebar/workbench-params.test.ts fails when a schema gains
 * a field without a label.
 */

export const TRIGGER_LABELS: Record<SopTrigger, string> = {
  high_intent: '高意向跟进',
  churn_risk: '流失召回',
  coupon_expiry: '优惠券到期提醒',
};

export const TRIGGER_HELP: Record<SopTrigger, string> = {
  high_intent: '客户多次浏览商品、加购未付款或被打上高意向标签时，提醒跟进员工发送优惠',
  churn_risk: '高客单价客户久未下单且互动骤降，或长期沉默的客户，提醒员工召回',
  coupon_expiry: '客户有即将到期且未使用的优惠券时，提醒员工发送个性化提醒',
};

export const LIFECYCLE_LABELS: Record<(typeof LIFECYCLE_STAGES)[number], string> = {
  new: '新客户',
  active: '活跃',
  silent: '沉默',
  churn_risk: '流失风险',
  lost: '已流失',
};

export const DELIVERY_LABELS = {
  staff_task: '员工任务（员工在侧边栏一键发送）',
  mass_send: '群发助手（员工在企业微信确认发送）',
} as const;

interface FieldMeta {
  label: string;
  unit: string;
  help: string;
  /** stored value = shown value × scale (fen shown as yuan: 100) */
  scale?: number;
}

const conversionDays: FieldMeta = {
  label: '转化归因窗口',
  unit: '天',
  help: '消息发送后这么多天内客户下单，计为该规则（和话术）带来的转化',
};

export const PARAM_META: { [T in SopTrigger]: Record<string, FieldMeta> } = {
  high_intent: {
    productViews: {
      label: '浏览次数阈值',
      unit: '次',
      help: '客户在下面的时间窗口内浏览商品达到这么多次，即视为高意向',
    },
    productViewHours: {
      label: '浏览时间窗口',
      unit: '小时',
      help: '统计浏览次数的时间范围，例如 72 小时 = 最近 3 天',
    },
    cartAbandonHours: {
      label: '加购未付款时长',
      unit: '小时',
      help: '客户加购后超过这么久仍没有付款订单，即触发',
    },
    tagName: { label: '高意向标签名', unit: '', help: '客户被打上这个名称的标签（任意标签组）时触发' },
    lookbackHours: {
      label: '定时补扫回看时长',
      unit: '小时',
      help: '行为数据到达时即时评估；定时扫描只回看这么久，补上漏掉的信号',
    },
    conversionDays,
  },
  churn_risk: {
    minAovFen: {
      label: '客单价门槛',
      unit: '元',
      help: '历史客单价（累计消费 ÷ 订单数）不低于这个金额的客户才算高价值客户',
      scale: 100,
    },
    noOrderDays: {
      label: '未下单天数',
      unit: '天',
      help: '高价值客户超过这么多天没有付款订单，进入召回观察',
    },
    watchDays: {
      label: '观察期',
      unit: '天',
      help: '越过未下单天数后，在这么多天内满足互动条件即召回（每次流失只召回一次）',
    },
    interactionWindowDays: {
      label: '互动对比窗口',
      unit: '天',
      help: '按自然日比较最近 N 天（含今天）与再之前 N 天的行为互动次数，N 最多 31',
    },
    minDropPercent: {
      label: '互动下降幅度',
      unit: '%',
      help: '最近窗口的互动比之前下降至少这个百分比，视为互动骤降',
    },
    memberCenterStreakDays: {
      label: '连续访问会员中心',
      unit: '天',
      help: '或：连续这么多天访问会员中心却未下单也触发召回；0 = 关闭',
    },
    silentDays: { label: '沉默天数', unit: '天', help: '任何客户超过这么多天没有任何互动，召回一次' },
    catchUpDays: {
      label: '补召回天数',
      unit: '天',
      help: '沉默开始于界线前这么多天内的客户仍会被召回，避免漏扫',
    },
    conversionDays,
  },
  coupon_expiry: {
    withinHours: {
      label: '到期时间窗口',
      unit: '小时',
      help: '未使用且将在这么多小时内到期的优惠券，提醒客户使用',
    },
    conversionDays,
  },
};

export interface ParamField {
  key: string;
  label: string;
  unit: string;
  help: string;
  kind: 'integer' | 'number' | 'text';
  /** in display units; `minExclusive` when the schema says "greater than" */
  min?: number;
  minExclusive: boolean;
  max?: number;
  maxLength?: number;
  step: number;
  precision?: number;
  scale: number;
  /** the schema's default, in stored units */
  defaultValue: unknown;
}

type ZodAny = z.ZodType & {
  def: { type: string; innerType?: ZodAny; defaultValue?: unknown; checks?: unknown[] };
};
interface NumberLike {
  minValue: number | null;
  maxValue: number | null;
  isInt: boolean;
  def: { checks?: Array<{ _zod: { def: { check: string; inclusive?: boolean } } }> };
}

function unwrapDefault(schema: ZodAny): { inner: ZodAny; defaultValue: unknown } {
  let s = schema;
  let defaultValue: unknown;
  while (s.def.type === 'default' || s.def.type === 'prefault' || s.def.type === 'optional') {
    if (s.def.type === 'default' && defaultValue === undefined) defaultValue = s.def.defaultValue;
    s = s.def.innerType!;
  }
  return { inner: s, defaultValue };
}

const BIG = 1e12;

/** The parameter fields of a trigger, in the schema's order. */
export function paramFields(trigger: SopTrigger): ParamField[] {
  const schema = triggerParamsSchemas[trigger] as unknown as { shape: Record<string, ZodAny> };
  return Object.entries(schema.shape).map(([key, fieldSchema]) => {
    const meta = PARAM_META[trigger][key];
    if (!meta) throw new Error(`no label for ${trigger}.${key}`);
    const { inner, defaultValue } = unwrapDefault(fieldSchema);
    const scale = meta.scale ?? 1;
    const base = { key, label: meta.label, unit: meta.unit, help: meta.help, scale, defaultValue };
    if (inner.def.type === 'string') {
      const str = inner as unknown as { maxLength: number | null };
      return {
        ...base,
        kind: 'text',
        minExclusive: false,
        step: 1,
        ...(str.maxLength !== null ? { maxLength: str.maxLength } : {}),
      } satisfies ParamField;
    }
    const num = inner as unknown as NumberLike;
    const minExclusive = (num.def.checks ?? []).some(
      (c) => c._zod.def.check === 'greater_than' && c._zod.def.inclusive === false,
    );
    const integer = num.isInt && scale === 1;
    return {
      ...base,
      kind: integer ? 'integer' : 'number',
      ...(num.minValue !== null && Math.abs(num.minValue) < BIG ? { min: num.minValue / scale } : {}),
      ...(num.maxValue !== null && Math.abs(num.maxValue) < BIG ? { max: num.maxValue / scale } : {}),
      minExclusive,
      step: 1,
      ...(integer ? { precision: 0 } : {}),
    } satisfies ParamField;
  });
}

/** The smallest value an input may take: an exclusive minimum moves up by one step of precision. */
export function inputMin(field: ParamField): number | undefined {
  if (field.min === undefined) return undefined;
  if (!field.minExclusive) return field.min;
  return field.min + (field.kind === 'integer' ? 1 : 0.1);
}

export function toDisplay(field: ParamField, stored: unknown): unknown {
  return typeof stored === 'number' && field.scale !== 1 ? stored / field.scale : stored;
}

export function toStored(field: ParamField, shown: unknown): unknown {
  if (typeof shown !== 'number' || field.scale === 1) return shown;
  return Math.round(shown * field.scale);
}

/** `一 unit` label as the form shows it: "浏览次数阈值（次）". */
export function fieldLabel(field: { label: string; unit: string }): string {
  return field.unit ? `${field.label}（${field.unit}）` : field.label;
}

/** Variables a trigger's templates may use, with their labels. */
export function variablesFor(trigger: SopTrigger): Array<{ name: TemplateVariable; label: string }> {
  return (
    Object.entries(TEMPLATE_VARIABLES) as Array<
      [TemplateVariable, { label: string; triggers: readonly string[] }]
    >
  )
    .filter(([, v]) => v.triggers.includes(trigger))
    .map(([name, v]) => ({ name, label: v.label }));
}

export { SOP_TRIGGERS };
