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
  return db.selectFrom('staff').select(['userid', 'name', 'active']).where('userid', '=', userid).executeTakeFirst();
}

/**
 * Acquisition channel codes (`state`) seen on follow relations or customers, with how many
 * customers came through each — what a rule's audience can filter on.
 */
export async function channelStates(db: Db, limit = 200): Promise<Array<{ state: string; customers: number }>> {
  const { rows } = await sql<{ state: string; customers: number }>`
    SELECT s.state, count(DISTINCT s.external_userid)::int AS customers
    FROM (
      SELECT state, external_userid FROM follow_relations WHERE coalesce(state, '') <> ''
      UNION ALL
      SELECT channel_state, external_userid FROM customers WHERE coalesce(channel_state, '') <> ''
    ) s
    GROUP BY s.state
    ORDER BY customers DESC, s.state
    LIMIT ${limit}`.execute(db);
  return rows;
}
