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
}

export const triggers: { [T in SopTrigger]: TriggerDefinition<T> } = {
  high_intent: highIntent,
  churn_risk: churnRisk,
  coupon_expiry: couponExpiry,
};

export function detailsFor(trigger: SopTrigger): RawBuilder<unknown> | undefined {
  return triggers[trigger].details;
}

export function candidatesFor<T extends SopTrigger>(
  trigger: T,
  params: TriggerParams[T],
  scope: TriggerScope,
): RawBuilder<unknown> {
  return (triggers[trigger] as TriggerDefinition<T>).candidates(params, scope);
}
