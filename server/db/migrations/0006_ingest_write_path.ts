import { type Kysely, sql } from 'kysely';

/**
 * The ingest write path (issue 4's benchmark): three things every ingested order paid for and
 * nothing used.
 *
 * - customers_value_idx (last_order_at, total_spent_fen, order_count) is read by no query since
 *   0004: churn_risk's high-value lapse scan, the one query on those columns, uses
 *   customers_high_value_idx. Every new order changes these columns, so the stats update wrote a
 *   new entry into it for every customer an ingest touched — about a fifth of that statement,
 *   inside the customer row locks concurrent ingests queue on.
 * - The foreign keys of orders (to customers) and of order_items (to orders) ran a query per row
 *   that also locked the referenced row (FOR KEY SHARE: a write to its page and to the WAL) —
 *   for orders, the very customer rows the request then locks and rewrites, which concurrent
 *   requests hold too (each such lock then becomes a multixact). They guard nothing this schema
 *   does: an order's customer row is created in the same transaction before the order
 *   (ensureCustomerStubs), lines are written only together with their order, and neither
 *   customers nor orders are ever deleted (as 0007 found for sop_tasks).
 */
const statements = [
  `DROP INDEX IF EXISTS customers_value_idx`,
  `ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_external_userid_fkey`,
  `ALTER TABLE order_items DROP CONSTRAINT IF EXISTS order_items_order_id_fkey`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
