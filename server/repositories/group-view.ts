import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export function findGroupChat(db: Db, chatId: string) {
  return db
    .selectFrom('group_chats as g')
    .leftJoin('staff as s', 's.userid', 'g.owner')
    .select([
      'g.chat_id',
      'g.name',
      'g.owner',
      's.name as owner_name',
      'g.notice',
      'g.created_at_wecom',
      'g.status',
    ])
    .where('g.chat_id', '=', chatId)
    .executeTakeFirst();
}

/**
 * Every member row of a group (current and departed), customers linked to their customer row and
 * flagged when `userid` follows them (active or half relation).
 */
export function listGroupMembers(db: Db, chatId: string, userid: string) {
  return db
    .selectFrom('group_members as m')
    .leftJoin('customers as c', (j) =>
      j.onRef('c.external_userid', '=', 'm.member_id').on('m.member_type', '=', 2),
    )
    .leftJoin('staff as s', (j) => j.onRef('s.userid', '=', 'm.member_id').on('m.member_type', '=', 1))
    .select([
      'm.member_id',
      'm.member_type',
      'm.name',
      'm.group_nickname',
      'm.join_time',
      'm.left_at',
      'c.external_userid',
      'c.name as customer_name',
      's.name as staff_name',
      sql<boolean>`exists (
        select 1 from follow_relations f
        where f.external_userid = m.member_id and f.userid = ${userid} and f.status in ('active', 'half'))`.as(
        'followed_by_me',
      ),
    ])
    .where('m.chat_id', '=', chatId)
    .orderBy('m.join_time')
    .orderBy('m.member_id')
    .execute();
}
