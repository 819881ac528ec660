import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Makes sure a row exists for each external userid. Business systems often report an order
 * before WeCom reports the contact; the stub is filled in when the contact arrives.
 */
export async function ensureCustomerStubs(db: Db, externalUserids: readonly string[]): Promise<void> {
  const unique = [...new Set(externalUserids)];
  if (unique.length === 0) return;
  await db
    .insertInto('customers')
    .columns(['external_userid'])
    .expression(sql`select * from unnest(${unique}::text[])`)
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
