import type { Db } from '../db/database.js';

export function listTargets(db: Db, month: string) {
  return db
    .selectFrom('targets')
    .select(['scope', 'userid', 'metric', 'value'])
    .where('month', '=', month)
    .orderBy('scope')
    .orderBy('userid')
    .orderBy('metric')
    .execute();
}

/** The month's targets become exactly `items` (one transaction). */
export async function replaceMonthTargets(
  db: Db,
  month: string,
  items: ReadonlyArray<{ scope: 'team' | 'staff'; userid: string | null; metric: string; value: number }>,
  updatedBy: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('targets').where('month', '=', month).execute();
    if (!items.length) return;
    await tx
      .insertInto('targets')
      .values(items.map((t) => ({ month, ...t, updated_by: updatedBy, updated_at: now })))
      .execute();
  });
}
