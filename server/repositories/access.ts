import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { VISIBLE_RELATION_STATUSES } from './relation-tags.js';

/** The customer (if any) and whether `userid` follows them, in one lookup. */
export function customerWithFollower(db: Db, externalUserid: string, userid: string) {
  return db
    .selectFrom('customers as c')
    .leftJoin('follow_relations as f', (j) =>
      j
        .onRef('f.external_userid', '=', 'c.external_userid')
        .on('f.userid', '=', userid)
        .on('f.status', 'in', VISIBLE_RELATION_STATUSES),
    )
    .select(['c.external_userid', 'f.userid as follower'])
    .where('c.external_userid', '=', externalUserid)
    .executeTakeFirst();
}

export function findGroupOwner(db: Db, chatId: string) {
  return db
    .selectFrom('group_chats')
    .select(['chat_id', 'owner'])
    .where('chat_id', '=', chatId)
    .executeTakeFirst();
}

/** Whether `userid` is a current member of the group, or follows one of its current customers. */
export async function groupHasMemberOrFollowed(db: Db, chatId: string, userid: string): Promise<boolean> {
  const { rows } = await sql<{ ok: number }>`
    select 1 as ok from group_members m
    where m.chat_id = ${chatId} and m.left_at is null and (
      m.member_id = ${userid}
      or (m.member_type = 2 and exists (
        select 1 from follow_relations f
        where f.external_userid = m.member_id and f.userid = ${userid}
          and f.status in ('active', 'half')))
    )
    limit 1`.execute(db);
  return rows.length > 0;
}
