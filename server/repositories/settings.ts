import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Reads a setting, falling back to the default written in code. */
export async function getSetting<T>(db: Db, key: string, fallback: T): Promise<T> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (row.value as T) : fallback;
}

export async function putSetting(db: Db, key: string, value: unknown, now: Date): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
    .execute();
}

export async function deleteSetting(db: Db, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}

/**
 * The full sync's progress (services/wecom-sync/full-sync.ts): puts one lane's position and adds
 * the customers of its page, in one update of the stored value — lanes writing at the same time
 * each change only their own part, so none puts back another's older position.
 */
export async function recordSyncLane(
  db: Db,
  key: string,
  page: { lane: number; position: { chunk: number; cursor: string | null }; customers: number },
  now: Date,
): Promise<void> {
  await sql`UPDATE settings SET updated_at = ${now}::timestamptz,
      value = jsonb_set(jsonb_set(value, ${`{lanes,${page.lane}}`}::text[], ${JSON.stringify(page.position)}::jsonb),
        '{customers}', to_jsonb(coalesce((value->>'customers')::int, 0) + ${page.customers}::int))
    WHERE key = ${key}`.execute(db);
}
