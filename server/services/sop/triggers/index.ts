import type { RawBuilder } from 'kysely';
import type { SopTrigger, TriggerParams } from '../../../../shared/sop.js';
import { churnRisk } from './churn-risk.js';
import { couponExpiry } from './coupon-expiry.js';
import { highIntent } from './high-intent.js';

/**
 * A trigger turns data into candidates: one SQL relation, evaluated inside the statement that
 * also applies audience, cooldown and cap and inserts the tasks (repositories/sop-tasks.ts). A
 * new trigger is a file here, its params schema in shared/sop.ts, and a line in `triggers` below.
 *
 * The relation has the columns `external_userid text, window_key text, reason text`, where
 * window_key names the occasion (a day, a lapse, a coupon): with rule and customer it is the
 * task's unique key, so a re-run creates nothing twice. A trigger whose messages name more than
 * the customer and salesperson adds `details`: a LATERAL subquery over the row `r` being created
 * answering `coupon_name, coupon_expires_at, coupon_value_fen` — read only for tasks created.
 */
export interface TriggerScope {
  now: Date;
  /** only these customers (event-driven evaluation); absent = the trigger's own scan frontier */
  customers?: readonly string[];
}

export interface TriggerDefinition<T extends SopTrigger = SopTrigger> {
  trigger: T;
  candidates(params: TriggerParams[T], scope: TriggerScope): RawBuilder<unknown>;
  details?: RawBuilder<unknown>;
  /**
   * How far back (ms) the tasks that answered most of a scan's candidates were created: the span an
   * occasion stays a candidate, over which earlier runs saw it. A full scan reads this rule's tasks
   * of that span once and drops the candidates they answered before looking anything up per
   * candidate; older answers are still found by the per-candidate check, so this is only a matter of
   * speed, never of which tasks are created.
   */
  answeredWithinMs(params: TriggerParams[T]): number;
}

export const triggers: { [T in SopTrigger]: TriggerDefinition<T> } = {
  high_intent: highIntent,
  churn_risk: churnRisk,
  coupon_expiry: couponExpiry,
};

export function detailsFor(trigger: SopTrigger): RawBuilder<unknown> | undefined {
  return triggers[trigger].details;
}

export function answeredWithinMs<T extends SopTrigger>(trigger: T, params: TriggerParams[T]): number {
  return (triggers[trigger] as TriggerDefinition<T>).answeredWithinMs(params);
}

export function candidatesFor<T extends SopTrigger>(
  trigger: T,
  params: TriggerParams[T],
  scope: TriggerScope,
): RawBuilder<unknown> {
  return (triggers[trigger] as TriggerDefinition<T>).candidates(params, scope);
}
