import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Salespeople a supervisor can pick in a rule's audience or remind: active staff, by name. */
export async function listActiveStaff(db: Db): Promise<Array<{ userid: string; name: string }>> {
  return db
    .selectFrom('staff')
    .select(['userid', 'name'])
    .where('active', '=', true)
    .orderBy('name')
    .orderBy('userid')
    .execute();
}

export function findStaff(db: Db, userid: string) {
  return db
    .selectFrom('staff')
    .select(['userid', 'name', 'active'])
    .where('userid', '=', userid)
    .executeTakeFirst();
}

/**
 * Acquisition channels a rule's audience can filter on: every code (`state`) seen on follow
 * relations or customers, plus the live 渠道活码 channels (with their names) that have no
 * customers yet, and how many customers came through each.
 */
export async function channelStates(
  db: Db,
  limit = 200,
): Promise<Array<{ state: string; name: string | null; customers: number }>> {
  const { rows } = await sql<{ state: string; name: string | null; customers: number }>`
    SELECT s.state, ch.name, count(DISTINCT s.external_userid)::int AS customers
    FROM (
      SELECT state, external_userid FROM follow_relations WHERE coalesce(state, '') <> ''
      UNION ALL
      SELECT channel_state, external_userid FROM customers WHERE coalesce(channel_state, '') <> ''
      UNION ALL
      SELECT state, NULL FROM channels WHERE deleted_at IS NULL
    ) s
    LEFT JOIN channels ch ON ch.state = s.state
    GROUP BY s.state, ch.name
    ORDER BY customers DESC, s.state
    LIMIT ${limit}`.execute(db);
  return rows;
}
