import type { Db } from '../db/database.js';

/** Relation statuses that count as "following": a half relation is one WeCom has not confirmed yet. */
export const VISIBLE_RELATION_STATUSES = ['active', 'half'] as const;

/** Which of these tag ids are in the live catalogue. */
export async function liveTagIds(db: Db, tagIds: readonly string[]): Promise<Set<string>> {
  if (!tagIds.length) return new Set();
  const rows = await db
    .selectFrom('tags')
    .select('tag_id')
    .where('tag_id', 'in', [...tagIds])
    .where('deleted', '=', false)
    .execute();
  return new Set(rows.map((r) => r.tag_id));
}

/** The tag ids on one relation, locked for the caller's transaction. */
export async function lockRelationTagIds(db: Db, externalUserid: string, userid: string): Promise<string[]> {
  const rows = await db
    .selectFrom('customer_tags')
    .select('tag_id')
    .where('external_userid', '=', externalUserid)
    .where('userid', '=', userid)
    .forUpdate()
    .execute();
  return rows.map((r) => r.tag_id);
}

/** The tags on one relation with their names and groups, in catalogue order. */
export function relationTags(db: Db, externalUserid: string, userid: string) {
  return db
    .selectFrom('customer_tags as ct')
    .innerJoin('tags as t', 't.tag_id', 'ct.tag_id')
    .innerJoin('tag_groups as g', 'g.group_id', 't.group_id')
    .select(['t.tag_id', 't.name', 'g.group_id', 'g.name as group_name'])
    .where('ct.external_userid', '=', externalUserid)
    .where('ct.userid', '=', userid)
    .orderBy('g.sort_order')
    .orderBy('t.sort_order')
    .execute();
}

/** Whether `userid` follows the customer (an active or half relation). */
export async function isFollowing(db: Db, externalUserid: string, userid: string): Promise<boolean> {
  const row = await db
    .selectFrom('follow_relations')
    .select('userid')
    .where('external_userid', '=', externalUserid)
    .where('userid', '=', userid)
    .where('status', 'in', VISIBLE_RELATION_STATUSES)
    .executeTakeFirst();
  return row !== undefined;
}
