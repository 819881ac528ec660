import { type Kysely, sql } from 'kysely';

/**
 * A task's `sop_task_created` timeline entry is read from the task row itself
 * (repositories/timeline.ts) instead of being stored a second time: a bulk scan creating tens of
 * thousands of tasks spent about a third of its time writing those copies — a random insert into
 * each customer's timeline index page, most of them a full page image in the WAL. The copies
 * stored so far would now show twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM timeline WHERE kind = 'sop_task_created'`.execute(db);
}
