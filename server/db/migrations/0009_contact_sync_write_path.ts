import { type Kysely, sql } from 'kysely';

/**
 * The contact sync write path (issue 3's benchmark): the foreign keys of follow_relations (to
 * customers) and of customer_tags (to follow_relations) ran a query per written row that also
 * locked the referenced row (FOR KEY SHARE: a write to its page and to the WAL). Worse, the check
 * of customer_tags is planned once per connection, while the table is still small: it was planned
 * on follow_relations_userid_idx (userid, status) and then read every relation of the salesperson
 * for each tag row — 60 of the 70 ms an initial-sync page of 100 customers took at 50,000
 * customers, quadratic in a salesperson's customers. They guard nothing this schema does: every
 * writer upserts the customer before its relations and the relation before its tags in the same
 * transaction (contact sync, full sync), or changes the tags of a relation it has just found
 * (sidebar, channels); and neither customers nor relations are ever deleted (as 0006 and
 * 0007 found for orders and SOP tasks).
 */
const statements = [
  `ALTER TABLE customer_tags DROP CONSTRAINT IF EXISTS customer_tags_external_userid_userid_fkey`,
  `ALTER TABLE follow_relations DROP CONSTRAINT IF EXISTS follow_relations_external_userid_fkey`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
