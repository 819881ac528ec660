import { type Kysely, sql } from 'kysely';

/**
 * Task creation maintains one index fewer. Every index on sop_tasks costs a bulk scan about a
 * tenth of its speed (issue 5's benchmark: 104,000 tasks in one statement), and the index on
 * created_at alone only served the reports' date ranges — which sop_tasks_rule_created_idx
 * (rule_id, created_at) answers as one range per rule (repositories/sop-tasks.ts,
 * tasksCreatedBetween).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS sop_tasks_created_idx`.execute(db);
}
