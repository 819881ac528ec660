import { triggerParamsSchemas } from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import {
  attributeConversions,
  closeOutcomes,
  recordResponses,
  withdrawRefundedConversions,
} from '../../repositories/sop-outcomes.js';
import { listRuleRows } from '../../repositories/sop-rules.js';
import { DAY_MS, HOUR_MS } from './time.js';

/** A customer's reply or interaction within this long after a message counts as a response. */
export const RESPONSE_WINDOW_MS = 48 * HOUR_MS;

/**
 * Outcomes of sent tasks: conversions (attributed to task, rule and variant), responses, and
 * sent → done. Runs for the customers of an order ingest right after it commits (job
 * `sop.attribute`) and hourly for everybody.
 */
export class SopOutcomes {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async update(customers?: readonly string[]) {
    const { db, clock } = this.deps;
    const now = clock.now();
    const longest = Math.max(
      7,
      ...(await listRuleRows(db)).map((r) => {
        const schema = triggerParamsSchemas[r.trigger as keyof typeof triggerParamsSchemas];
        const parsed = schema?.safeParse(r.params);
        return parsed?.success ? parsed.data.conversionDays : 7;
      }),
    );
    const scope = {
      now,
      // a week beyond the longest window, so an outage of the hourly job loses nothing
      sentSince: new Date(now.getTime() - (longest + 7) * DAY_MS),
      ...(customers ? { customers: [...new Set(customers)].sort() } : {}),
    };
    return db.transaction().execute(async (trx) => {
      const withdrawn = await withdrawRefundedConversions(trx, scope);
      const converted = await attributeConversions(trx, scope);
      const responded = await recordResponses(trx, scope, RESPONSE_WINDOW_MS);
      const done = await closeOutcomes(trx, now);
      return { converted, withdrawn, responded, done };
    });
  }
}
