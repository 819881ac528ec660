import { z } from 'zod';

/**
 * The SOP contract the server and the workbench share: rules (trigger, parameters, audience,
 * message variants, delivery), tasks and report rows. Parameter schemas carry the defaults, so
 * `{}` parses to a working rule of that trigger.
 */

export const SOP_TRIGGERS = ['high_intent', 'churn_risk', 'coupon_expiry'] as const;
export type SopTrigger = (typeof SOP_TRIGGERS)[number];

export const DELIVERY_MODES = ['staff_task', 'mass_send'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export const TASK_STATUSES = ['pending', 'sent', 'done', 'skipped', 'failed', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const LIFECYCLE_STAGES = ['new', 'active', 'silent', 'churn_risk', 'lost'] as const;

/** Why a matched customer got no task; stored in sop_skips and on the timeline. */
export const SKIP_REASONS = ['frequency_cap'] as const;

// ---- templates ---------------------------------------------------------------------------------

/** Variables a message template may use, and the triggers that can fill them. */
export const TEMPLATE_VARIABLES = {
  /** the owning salesperson's remark for the customer, else the customer's WeCom name */
  name: { label: '客户称呼', triggers: SOP_TRIGGERS },
  staffName: { label: '跟进员工', triggers: SOP_TRIGGERS },
  couponName: { label: '优惠券名称', triggers: ['coupon_expiry'] },
  couponExpiresAt: { label: '优惠券到期时间', triggers: ['coupon_expiry'] },
  couponValue: { label: '优惠券面额（元）', triggers: ['coupon_expiry'] },
} as const satisfies Record<string, { label: string; triggers: readonly SopTrigger[] }>;
export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

const VARIABLE_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** `{{ name }}` → `{{name}}`, the one spelling the renderers replace. */
export function normalizeTemplate(template: string): string {
  return template.replace(VARIABLE_PATTERN, (_, v: string) => `{{${v}}}`);
}

export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE_PATTERN)].map((m) => m[1]!);
}

/** Fallback when a customer has no name on record. */
export const NAME_FALLBACK = '顾客';

/** Fen as yuan text: 2000 → "20", 1990 → "19.90". */
export function formatYuan(fen: number): string {
  return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2);
}

/** `MM-DD HH:mm` in Asia/Shanghai (UTC+8, no daylight saving). */
export function formatShanghaiMinute(at: Date): string {
  const s = new Date(at.getTime() + 8 * 3_600_000).toISOString();
  return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

/**
 * Renders a template for a preview. Tasks are rendered by the server's SQL (one statement creates
 * every task of a scan); both must agree, and test/unit/sop-templates.test.ts checks that they do.
 */
export function renderTemplate(
  template: string,
  vars: {
    name?: string;
    staffName?: string;
    couponName?: string;
    couponExpiresAt?: Date;
    couponValueFen?: number;
  },
): string {
  const values: Record<TemplateVariable, string> = {
    name: vars.name || NAME_FALLBACK,
    staffName: vars.staffName ?? '',
    couponName: vars.couponName ?? '',
    couponExpiresAt: vars.couponExpiresAt ? formatShanghaiMinute(vars.couponExpiresAt) : '',
    couponValue: vars.couponValueFen === undefined ? '' : formatYuan(vars.couponValueFen),
  };
  return normalizeTemplate(template).replace(VARIABLE_PATTERN, (whole, v: string) =>
    v in values ? values[v as TemplateVariable] : whole,
  );
}

// ---- parameters per trigger ---------------------------------------------------------------------

const hours = z
  .number()
  .positive()
  .max(24 * 90);
const days = z.number().positive().max(3650);
/** A paid order within this many days after a task was sent is attributed to it. */
const conversionDays = z.number().int().min(1).max(90).default(7);

export const highIntentParamsSchema = z.strictObject({
  /** this many product views … */
  productViews: z.number().int().min(1).max(1000).default(3),
  /** … within this many hours */
  productViewHours: hours.default(72),
  /** a cart add with no paid order for this many hours */
  cartAbandonHours: hours.default(24),
  /** customers tagged with this tag name (any tag group) */
  tagName: z.string().trim().min(1).max(64).default('高意向'),
  /**
   * how far back a scheduled scan looks for new signals: events are evaluated as they arrive,
   * the scan (every 10 minutes by default) only catches what a lost job missed
   */
  lookbackHours: hours.default(0.5),
  conversionDays,
});

/** The longest churn interaction window: two of them fit the per-customer activity summary. */
export const MAX_INTERACTION_WINDOW_DAYS = 31;
/** How many days of behaviour each customer's activity summary keeps (repositories/customer-activity.ts). */
export const ACTIVITY_HORIZON_DAYS = 2 * MAX_INTERACTION_WINDOW_DAYS;

export const churnRiskParamsSchema = z.strictObject({
  /** high value: historic AOV (total spent / paid orders) at least this, in fen (¥800) */
  minAovFen: z.number().int().min(0).default(80_000),
  /** … with no paid order for this many days */
  noOrderDays: days.default(30),
  /** … watched for this many days after crossing that line (one recall per lapse) */
  watchDays: days.default(30),
  /**
   * interaction (behaviour events) of the last N Asia/Shanghai days, today included, against the N
   * days before … (whole days: customers keep a per-day summary, ACTIVITY_HORIZON_DAYS long)
   */
  interactionWindowDays: z.number().int().min(1).max(MAX_INTERACTION_WINDOW_DAYS).default(14),
  /** … fell by at least this percentage */
  minDropPercent: z.number().int().min(1).max(100).default(80),
  /** or: visited the member center on this many consecutive days (0 = off) */
  memberCenterStreakDays: z.number().int().min(0).max(30).default(3),
  /** anyone with no interaction for this many days (one recall per silence) */
  silentDays: days.default(90),
  /** a silence that crossed the line up to this many days ago is still recalled (a missed daily scan) */
  catchUpDays: days.default(2),
  conversionDays,
});

export const couponExpiryParamsSchema = z.strictObject({
  /** unused coupons expiring within this many hours */
  withinHours: hours.default(24),
  conversionDays,
});

export const triggerParamsSchemas = {
  high_intent: highIntentParamsSchema,
  churn_risk: churnRiskParamsSchema,
  coupon_expiry: couponExpiryParamsSchema,
} as const;

export type HighIntentParams = z.output<typeof highIntentParamsSchema>;
export type ChurnRiskParams = z.output<typeof churnRiskParamsSchema>;
export type CouponExpiryParams = z.output<typeof couponExpiryParamsSchema>;
export interface TriggerParams {
  high_intent: HighIntentParams;
  churn_risk: ChurnRiskParams;
  coupon_expiry: CouponExpiryParams;
}

// ---- rules -------------------------------------------------------------------------------------

const id = z.string().trim().min(1).max(128);

/** Empty lists mean "no restriction". */
export const audienceSchema = z.strictObject({
  /** the customer carries every one of these tags (WeCom tag ids) */
  requiredTagIds: z.array(id).max(50).default([]),
  /** … and none of these */
  excludedTagIds: z.array(id).max(50).default([]),
  /** the owning salesperson is one of these, or in one of the departments */
  staffUserids: z.array(id).max(500).default([]),
  departmentIds: z.array(z.number().int().nonnegative()).max(100).default([]),
  lifecycleStages: z.array(z.enum(LIFECYCLE_STAGES)).max(5).default([]),
  /** acquired through one of these channel codes (`state`) */
  channelStates: z.array(z.string().trim().min(1).max(30)).max(100).default([]),
  /** also customers with an open data-quality flag (数据清洗), who are left out by default */
  includeFlagged: z.boolean().default(false),
});
export type Audience = z.output<typeof audienceSchema>;

export const variantSchema = z.strictObject({
  template: z.string().trim().min(1, 'must not be empty').max(2000).transform(normalizeTemplate),
  /** share of customers, relative to the other variants' weights */
  weight: z.number().int().min(1).max(100).default(1),
});
export type Variant = z.output<typeof variantSchema>;

/** Five cron fields (minute hour day month weekday), evaluated in Asia/Shanghai. */
const CRON = /^(\S+\s+){4}\S+$/;
const CRON_FIELD = /^[0-9*/,\-A-Za-z?LW#]+$/;
export const cronSchema = z
  .string()
  .trim()
  .refine((s) => CRON.test(s) && s.split(/\s+/).every((f) => CRON_FIELD.test(f)), {
    message: 'must be a 5-field cron pattern, e.g. "0 10 * * *"',
  });

const ruleFields = {
  name: z.string().trim().min(1, 'must not be empty').max(100),
  enabled: z.boolean().default(true),
  audience: audienceSchema.prefault({}),
  variants: z.array(variantSchema).min(1, 'needs at least one variant').max(3, 'at most 3 variants'),
  deliveryMode: z.enum(DELIVERY_MODES).default('staff_task'),
  /** minutes outside quiet hours the salesperson has to send it */
  dueMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(240),
  /** no second task of this rule for the same customer within this many days */
  cooldownDays: z.number().int().min(0).max(365).default(7),
  /** when the scheduled scan runs; null = only on events / on demand */
  schedule: cronSchema.nullable().default(null),
};

function checkTemplates(
  trigger: SopTrigger,
  variants: readonly { template: string }[],
  ctx: z.RefinementCtx,
) {
  variants.forEach((v, i) => {
    for (const name of templateVariables(v.template)) {
      const known = TEMPLATE_VARIABLES[name as TemplateVariable] as
        | { triggers: readonly string[] }
        | undefined;
      if (!known?.triggers.includes(trigger)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'template'],
          message: known
            ? `{{${name}}} is not available for ${trigger} rules`
            : `unknown variable {{${name}}}; known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')}`,
        });
      }
    }
  });
}

const ruleShapes = {
  high_intent: {
    trigger: z.literal('high_intent'),
    params: highIntentParamsSchema.prefault({}),
    ...ruleFields,
  },
  churn_risk: { trigger: z.literal('churn_risk'), params: churnRiskParamsSchema.prefault({}), ...ruleFields },
  coupon_expiry: {
    trigger: z.literal('coupon_expiry'),
    params: couponExpiryParamsSchema.prefault({}),
    ...ruleFields,
  },
};

/** What POST /api/sop-rules takes (and PUT, merged over the stored rule). */
export const sopRuleInputSchema = z
  .discriminatedUnion('trigger', [
    z.strictObject(ruleShapes.high_intent),
    z.strictObject(ruleShapes.churn_risk),
    z.strictObject(ruleShapes.coupon_expiry),
  ])
  .superRefine((rule, ctx) => checkTemplates(rule.trigger, rule.variants, ctx));
export type SopRuleInput = z.input<typeof sopRuleInputSchema>;
export type SopRuleDraft = z.output<typeof sopRuleInputSchema>;

const stored = { id: z.number().int(), createdAt: z.string(), updatedAt: z.string() };

/** A rule as the API answers it. */
export const sopRuleSchema = z.discriminatedUnion('trigger', [
  z.object({ ...ruleShapes.high_intent, ...stored }),
  z.object({ ...ruleShapes.churn_risk, ...stored }),
  z.object({ ...ruleShapes.coupon_expiry, ...stored }),
]);
export type SopRule = z.output<typeof sopRuleSchema>;

/** What a scan answers: customers matched, tasks created, held back by the cap, otherwise skipped. */
export const scanResultSchema = z.object({
  matched: z.number().int(),
  created: z.number().int(),
  capped: z.number().int(),
  skipped: z.number().int(),
});
export type ScanResult = z.infer<typeof scanResultSchema>;

/** The three rules a new installation starts with. */
export function defaultRules(): SopRuleDraft[] {
  return [
    {
      trigger: 'high_intent',
      name: '高意向客户优惠跟进',
      enabled: true,
      params: highIntentParamsSchema.parse({}),
      audience: audienceSchema.parse({}),
      variants: [
        {
          template:
            '{{name}}您好，我是{{staffName}}。看到您最近在关注我们的商品，今天下单可享专属优惠，有任何问题随时问我～',
          weight: 1,
        },
        {
          template: '{{name}}，您看中的商品库存不多了，我帮您申请了一份老客专属优惠，需要的话回复我就好～',
          weight: 1,
        },
      ],
      deliveryMode: 'staff_task',
      dueMinutes: 120,
      cooldownDays: 3,
      schedule: '*/10 * * * *',
    },
    {
      trigger: 'churn_risk',
      name: '高价值客户流失召回',
      enabled: true,
      params: churnRiskParamsSchema.parse({}),
      audience: audienceSchema.parse({}),
      variants: [
        {
          template:
            '{{name}}好久不见，我是{{staffName}}。为老朋友准备了一份回归专属福利，新品也可以优先体验，想了解的话回复我～',
          weight: 1,
        },
        {
          template: '{{name}}，最近还好吗？店里上了几款新品，给您留了一份会员专属权益，方便的时候看看～',
          weight: 1,
        },
        { template: '{{name}}您好，感谢一直以来的支持！这周会员日有限量回馈，我帮您预留了名额～', weight: 1 },
      ],
      deliveryMode: 'staff_task',
      dueMinutes: 480,
      cooldownDays: 30,
      schedule: '0 10 * * *',
    },
    {
      trigger: 'coupon_expiry',
      name: '优惠券到期提醒',
      enabled: true,
      params: couponExpiryParamsSchema.parse({}),
      audience: audienceSchema.parse({}),
      variants: [
        {
          template:
            '{{name}}，您的「{{couponName}}」（{{couponValue}}元）将于{{couponExpiresAt}}到期，别浪费啦～',
          weight: 1,
        },
        {
          template:
            '提醒一下{{name}}：「{{couponName}}」{{couponExpiresAt}}就过期了，现在下单立减{{couponValue}}元～',
          weight: 1,
        },
      ],
      deliveryMode: 'staff_task',
      dueMinutes: 240,
      cooldownDays: 0,
      schedule: '0 * * * *',
    },
  ];
}

// ---- contact pressure and report settings ------------------------------------------------------

export const SOP_PRESSURE_SETTING = 'sop.pressure';
export const SOP_REPORT_SETTING = 'sop.reports';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

export const sopPressureSchema = z.strictObject({
  /** at most this many SOP messages per customer … */
  maxMessages: z.number().int().min(1).max(100).default(2),
  /** … in this many days, across every rule and delivery mode */
  windowDays: z.number().int().min(1).max(90).default(7),
  /** Asia/Shanghai; nothing is sent or reminded inside, due times move past it; null = none */
  quietHours: z
    .strictObject({ start: clockTime, end: clockTime })
    .nullable()
    .default({ start: '21:00', end: '09:00' }),
});
export type SopPressure = z.output<typeof sopPressureSchema>;

export const sopReportSettingsSchema = z.strictObject({
  /** Asia/Shanghai time of the supervisors' daily robot report */
  dailyReportTime: clockTime.default('18:00'),
  /** monthly churn rate above this raises the alert */
  churnAlertRate: z.number().min(0).max(1).default(0.05),
});
export type SopReportSettings = z.output<typeof sopReportSettingsSchema>;

// ---- tasks -------------------------------------------------------------------------------------

export const sopTaskSchema = z.object({
  id: z.number().int(),
  ruleId: z.number().int(),
  ruleName: z.string(),
  trigger: z.string(),
  externalUserid: z.string(),
  customerName: z.string(),
  userid: z.string(),
  staffName: z.string(),
  variant: z.number().int(),
  message: z.string(),
  reason: z.string().nullable(),
  deliveryMode: z.enum(DELIVERY_MODES),
  status: z.enum(TASK_STATUSES),
  overdue: z.boolean(),
  dueAt: z.string(),
  createdAt: z.string(),
  notifiedAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  skippedReason: z.string().nullable(),
  failureReason: z.string().nullable(),
  convertedAt: z.string().nullable(),
  revenueFen: z.number().int(),
});
export type SopTask = z.infer<typeof sopTaskSchema>;

export const TASK_STATUS_FILTERS = [...TASK_STATUSES, 'open', 'overdue'] as const;

export const taskListQuerySchema = z.object({
  scope: z.enum(['mine', 'team']).default('mine'),
  /** a status, `open` (pending) or `overdue` (pending past due); comma-separated for several */
  status: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(z.enum(TASK_STATUS_FILTERS))),
  userid: z.string().optional(),
  externalUserid: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** task id cursor: tasks with a smaller id */
  before: z.coerce.number().int().positive().optional(),
});
export type TaskListQuery = z.output<typeof taskListQuerySchema>;

export const taskListSchema = z.object({
  tasks: z.array(sopTaskSchema),
  nextCursor: z.number().int().nullable(),
  /** quiet hours are on now: the sidebar should hold sending */
  quietNow: z.boolean(),
});

export const skipTaskSchema = z.strictObject({
  reason: z.string().trim().min(1, 'must not be empty').max(200),
});

// ---- reports -----------------------------------------------------------------------------------

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Asia/Shanghai days, both inclusive, at most 366 of them. */
export const reportRangeSchema = z
  .object({ from: isoDay, to: isoDay })
  .refine((r) => r.from <= r.to, { message: 'must not be after `to`', path: ['from'] })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 < 366, {
    message: 'a range spans at most 366 days',
    path: ['to'],
  });
export type ReportRange = z.infer<typeof reportRangeSchema>;

const taskFigures = {
  assigned: z.number().int(),
  sent: z.number().int(),
  onTime: z.number().int(),
  overdue: z.number().int(),
  skipped: z.number().int(),
  completionRate: z.number(),
};

export const taskReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ day: z.string(), userid: z.string(), name: z.string(), ...taskFigures })),
  staff: z.array(z.object({ userid: z.string(), name: z.string(), rank: z.number().int(), ...taskFigures })),
  totals: z.object(taskFigures),
});
export type TaskReport = z.infer<typeof taskReportSchema>;

const sopFigures = {
  matched: z.number().int(),
  capped: z.number().int(),
  created: z.number().int(),
  sent: z.number().int(),
  converted: z.number().int(),
  conversionRate: z.number(),
  revenueFen: z.number().int(),
};

export const sopReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      ruleId: z.number().int(),
      ruleName: z.string(),
      trigger: z.string(),
      variant: z.number().int(),
      ...sopFigures,
    }),
  ),
  rules: z.array(
    z.object({ ruleId: z.number().int(), ruleName: z.string(), trigger: z.string(), ...sopFigures }),
  ),
});
export type SopReport = z.infer<typeof sopReportSchema>;

const growthFigures = {
  added: z.number().int(),
  deletedByStaff: z.number().int(),
  deletedByCustomer: z.number().int(),
  net: z.number().int(),
};

export const growthReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ day: z.string(), userid: z.string(), name: z.string(), ...growthFigures })),
  totals: z.object(growthFigures),
  months: z.array(
    z.object({
      month: z.string(),
      base: z.number().int(),
      deletedByCustomer: z.number().int(),
      churnRate: z.number().nullable(),
      alert: z.boolean(),
    }),
  ),
  churnAlertRate: z.number(),
  service: z.array(
    z.object({
      day: z.string(),
      userid: z.string(),
      name: z.string(),
      chats: z.number().int(),
      messages: z.number().int(),
      replyPercentage: z.number().nullable(),
      avgFirstReplyMinutes: z.number().nullable(),
      negativeFeedback: z.number().int(),
    }),
  ),
});
export type GrowthReport = z.infer<typeof growthReportSchema>;
