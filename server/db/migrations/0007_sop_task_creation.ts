import { type Kysely, sql } from 'kysely';

/**
 * Task creation at scale (issue 5's benchmark). The task-creating statement inserts tens of
 * thousands of tasks at once; per task, PostgreSQL ran two foreign-key triggers — each a query
 * that also locks the customer's row (FOR KEY SHARE: a write to its page and to the WAL) — which
 * took about a quarter of the statement. Neither guards anything this schema does: the statement
 * only creates tasks for customers it has just joined, customers are never deleted (a stub row is
 * kept even for a contact not yet added), and rules are never deleted (they are disabled). The
 * unique key (rule, customer, window) stays: it is what makes a re-run create nothing twice.
 *
 * And two indexes for the scans: most candidates of a periodic scan are occasions its earlier runs
 * already answered, found in bulk among the rule's recent tasks; and every new one needs its owner.
 */
const statements = [
  `ALTER TABLE sop_tasks DROP CONSTRAINT IF EXISTS sop_tasks_external_userid_fkey`,
  `ALTER TABLE sop_tasks DROP CONSTRAINT IF EXISTS sop_tasks_rule_id_fkey`,
  // a scan's recent answers (repositories/sop-tasks.ts, `known`): one rule's tasks of the last
  // hours or days as one range, whatever other rules created meanwhile
  `CREATE INDEX sop_tasks_rule_created_idx ON sop_tasks (rule_id, created_at) INCLUDE (external_userid, window_key)`,
  // a candidate's owner (the most recent active relation, with what the task needs of it) from the
  // index alone, in the order wanted: no visit to the relation's row, no sort
  `CREATE INDEX follow_relations_owner_idx ON follow_relations (external_userid, added_at DESC, userid)
    INCLUDE (state, remark) WHERE status = 'active'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
