import { type RawBuilder, sql } from 'kysely';
import { NAME_FALLBACK, type TemplateVariable } from '../../../shared/sop.js';
import { SHANGHAI_TZ } from './time.js';

/*
 * Message templates rendered inside the task-creating statement, so a scan that creates 100,000
 * tasks renders 100,000 messages without shipping a row to JavaScript. The output must equal
 * shared/sop.ts `renderTemplate` (tested in test/unit/sop-templates.test.ts).
 */

export interface TemplateInputs {
  /** the salesperson's remark for the customer, else the customer's name */
  customerName: RawBuilder<unknown>;
  staffName: RawBuilder<unknown>;
  couponName: RawBuilder<unknown>;
  couponExpiresAt: RawBuilder<unknown>;
  couponValueFen: RawBuilder<unknown>;
}

function values(v: TemplateInputs): Record<TemplateVariable, RawBuilder<unknown>> {
  return {
    name: sql`coalesce(nullif(${v.customerName}, ''), ${NAME_FALLBACK})`,
    staffName: sql`coalesce(${v.staffName}, '')`,
    couponName: sql`coalesce(${v.couponName}, '')`,
    couponExpiresAt: sql`coalesce(to_char(${v.couponExpiresAt} AT TIME ZONE ${sql.lit(SHANGHAI_TZ)}, 'MM-DD HH24:MI'), '')`,
    couponValue: sql`coalesce(CASE WHEN ${v.couponValueFen} % 100 = 0 THEN (${v.couponValueFen} / 100)::text
      ELSE to_char(${v.couponValueFen} / 100.0, 'FM999999999990.00') END, '')`,
  };
}

/** `template` is an SQL text expression holding a normalized template (`{{name}}`, no spaces). */
export function renderSql(template: RawBuilder<unknown>, inputs: TemplateInputs): RawBuilder<string> {
  let out: RawBuilder<unknown> = template;
  for (const [name, value] of Object.entries(values(inputs))) {
    out = sql`replace(${out}, ${`{{${name}}}`}, ${value})`;
  }
  return out as RawBuilder<string>;
}
