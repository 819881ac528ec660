import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Makes sure a row exists for each external userid. Business systems often report an order
 * before WeCom reports the contact; the stub is filled in when the contact arrives.
 *
 * Customers already stored are filtered out with a plain read first: ON CONFLICT alone would
 * wait for every in-progress transaction that has rewritten one of those rows (its stats), and so
 * queue concurrent ingests behind each other from their first statement.
 */
export async function ensureCustomerStubs(db: Db, externalUserids: readonly string[]): Promise<void> {
  const unique = [...new Set(externalUserids)];
  if (unique.length === 0) return;
  await db
    .insertInto('customers')
    .columns(['external_userid'])
    .expression(
      // LIMIT keeps the probe a per-id primary-key lookup (a plain NOT EXISTS may be planned
      // as a hash anti-join over every customer)
      sql`SELECT u.id FROM unnest(${unique}::text[]) AS u(id)
        LEFT JOIN LATERAL (SELECT true AS found FROM customers c WHERE c.external_userid = u.id LIMIT 1) e
          ON true
        WHERE e.found IS NULL`,
    )
    .onConflict((oc) => oc.column('external_userid').doNothing())
    .execute();
}

export function findCustomer(db: Db, externalUserid: string) {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('external_userid', '=', externalUserid)
    .executeTakeFirst();
}
