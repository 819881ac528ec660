import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import { refreshDerived } from '../../repositories/customer-stats.js';
import { getSetting } from '../../repositories/settings.js';
import {
  CUSTOMER_THRESHOLDS_SETTING,
  type CustomerThresholds,
  customerThresholdsSchema,
  DEFAULT_CUSTOMER_THRESHOLDS,
} from './definitions.js';

/**
 * How long a change's refresh trusts the thresholds it last read. The setting is edited by hand
 * and rarely, while refreshes run with every batch of contact events or ingest; the nightly
 * recompute of everybody always reads it afresh.
 */
const THRESHOLDS_TTL_MS = 30_000;

/**
 * Keeps each customer's derived values (lifecycle stage, RFM segment, intent score) current:
 * for the customers a change touched, inside that change's transaction, and nightly for
 * everybody (job `customers.refresh-derived`), because time alone moves customers between stages.
 */
export class CustomerInsights {
  #recent: { value: CustomerThresholds; until: number } | undefined;

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** The `customer.thresholds` setting over the defaults in code; an invalid setting is ignored. */
  async thresholds(db: Db = this.deps.db): Promise<CustomerThresholds> {
    const stored = await getSetting<unknown>(db, CUSTOMER_THRESHOLDS_SETTING, undefined);
    if (stored === undefined) return DEFAULT_CUSTOMER_THRESHOLDS;
    const parsed = customerThresholdsSchema.safeParse(stored);
    return parsed.success ? parsed.data : DEFAULT_CUSTOMER_THRESHOLDS;
  }

  /** For exactly these customers; pass the transaction the change is written in. */
  async refreshDerived(externalUserids: readonly string[], db: Db = this.deps.db): Promise<number> {
    if (externalUserids.length === 0) return 0;
    return refreshDerived(db, {
      now: this.deps.clock.now(),
      thresholds: await this.#recentThresholds(db),
      externalUserids,
    });
  }

  /** For every customer, in one statement. Returns how many changed. */
  async refreshAllDerived(): Promise<number> {
    const thresholds = await this.thresholds();
    this.#recent = { value: thresholds, until: Date.now() + THRESHOLDS_TTL_MS };
    return refreshDerived(this.deps.db, { now: this.deps.clock.now(), thresholds });
  }

  async #recentThresholds(db: Db): Promise<CustomerThresholds> {
    if (this.#recent && this.#recent.until > Date.now()) return this.#recent.value;
    const value = await this.thresholds(db);
    this.#recent = { value, until: Date.now() + THRESHOLDS_TTL_MS };
    return value;
  }
}
