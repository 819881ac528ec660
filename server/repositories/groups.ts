import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface GroupSnapshot {
  chatId: string;
  name: string;
  owner: string | null;
  notice: string;
  createdAt: Date | null;
  memberVersion: string | null;
  members: Array<{
    memberId: string;
    type: number;
    name: string;
    groupNickname: string;
    joinTime: Date | null;
    joinScene: number | null;
    invitor: string | null;
  }>;
}

export interface MemberChange {
  memberId: string;
  type: number;
  at: Date;
}

/**
 * Stores the group as WeCom reports it and diffs its members against what we held: who joined
 * (new, or back after leaving) and who left. Runs in the caller's transaction.
 */
export async function applyGroupSnapshot(
  db: Db,
  g: GroupSnapshot,
  now: Date,
): Promise<{ joined: MemberChange[]; left: MemberChange[] }> {
  await db
    .insertInto('group_chats')
    .values({
      chat_id: g.chatId,
      name: g.name,
      owner: g.owner,
      notice: g.notice,
      created_at_wecom: g.createdAt,
      member_version: g.memberVersion,
      status: 'active',
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('chat_id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        owner: eb.ref('excluded.owner'),
        notice: eb.ref('excluded.notice'),
        created_at_wecom: eb.ref('excluded.created_at_wecom'),
        member_version: eb.ref('excluded.member_version'),
        status: 'active',
        dismissed_at: null,
        updated_at: now,
      })),
    )
    .execute();

  const current = await db
    .selectFrom('group_members')
    .select(['member_id', 'member_type', 'left_at'])
    .where('chat_id', '=', g.chatId)
    .execute();
  const present = new Map(current.filter((m) => m.left_at === null).map((m) => [m.member_id, m]));
  const incoming = new Set(g.members.map((m) => m.memberId));

  const joined = g.members
    .filter((m) => !present.has(m.memberId))
    .map((m) => ({ memberId: m.memberId, type: m.type, at: m.joinTime ?? now }));
  const left = [...present.values()]
    .filter((m) => !incoming.has(m.member_id))
    .map((m) => ({ memberId: m.member_id, type: m.member_type, at: now }));

  if (g.members.length) {
    await db
      .insertInto('group_members')
      .values(
        g.members.map((m) => ({
          chat_id: g.chatId,
          member_id: m.memberId,
          member_type: m.type,
          name: m.name,
          group_nickname: m.groupNickname,
          join_time: m.joinTime,
          join_scene: m.joinScene,
          invitor: m.invitor,
          left_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['chat_id', 'member_id']).doUpdateSet((eb) => ({
          member_type: eb.ref('excluded.member_type'),
          name: sql<string>`coalesce(nullif(excluded.name, ''), group_members.name)`,
          group_nickname: eb.ref('excluded.group_nickname'),
          join_time: eb.ref('excluded.join_time'),
          join_scene: eb.ref('excluded.join_scene'),
          invitor: eb.ref('excluded.invitor'),
          left_at: null,
        })),
      )
      .execute();
  }
  if (left.length) {
    await db
      .updateTable('group_members')
      .set({ left_at: now })
      .where('chat_id', '=', g.chatId)
      .where(
        'member_id',
        'in',
        left.map((m) => m.memberId),
      )
      .execute();
  }
  return { joined, left };
}

export async function dismissGroup(db: Db, chatId: string, at: Date): Promise<MemberChange[]> {
  await db
    .updateTable('group_chats')
    .set({ status: 'dismissed', dismissed_at: at, updated_at: at })
    .where('chat_id', '=', chatId)
    .execute();
  const left = await db
    .updateTable('group_members')
    .set({ left_at: at })
    .where('chat_id', '=', chatId)
    .where('left_at', 'is', null)
    .returning(['member_id', 'member_type'])
    .execute();
  return left.map((m) => ({ memberId: m.member_id, type: m.member_type, at }));
}
