import { type Kysely, sql } from 'kysely';
import { refreshActivity } from '../../repositories/customer-activity.js';
import type { Db } from '../database.js';

/**
 * Each customer's behaviour per day on the customer row (repositories/customer-activity.ts), in
 * customers_high_value_idx beside what the churn scan already reads there: the daily scan then
 * decides a high-value lapse from the index entry alone, where it used to aggregate each lapsed
 * customer's events (a thousand index probes a day at a million customers, most of the scan).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE customers ADD COLUMN activity_days date[],
    ADD COLUMN activity_counts integer[], ADD COLUMN member_center_days date[]`.execute(db);
  await sql`DROP INDEX IF EXISTS customers_high_value_idx`.execute(db);
  await refreshActivity(db as unknown as Db, { now: new Date() });
  await sql`CREATE INDEX customers_high_value_idx ON customers ((total_spent_fen / order_count), last_order_at)
    INCLUDE (external_userid, total_spent_fen, order_count, last_interaction_at,
      activity_days, activity_counts, member_center_days)
    WHERE order_count > 0`.execute(db);
}
