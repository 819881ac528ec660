import type { GroupView } from '../../../shared/customer.js';
import type { Db } from '../../db/database.js';
import { notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { findGroupChat, listGroupMembers } from '../../repositories/group-view.js';
import type { AccessUser, CustomerAccess } from '../access/customer-access.js';
import { DAY_MS } from '../customers/definitions.js';
import { iso } from './format.js';

const RECENT_DAYS = 7;

/** The group view of the sidebar (群画像): profile, members linked to customers, recent changes. */
export class GroupViews {
  constructor(private readonly deps: { db: Db; clock: Clock; access: CustomerAccess }) {}

  async get(user: AccessUser, chatId: string): Promise<GroupView> {
    const { db, clock, access } = this.deps;
    await access.assertCanSeeGroup(user, chatId);
    const group = await findGroupChat(db, chatId);
    if (!group) throw notFound('group');
    const rows = await listGroupMembers(db, chatId, user.userid);
    const since = clock.now().getTime() - RECENT_DAYS * DAY_MS;

    const displayName = (r: (typeof rows)[number]) =>
      r.group_nickname || r.name || r.customer_name || r.staff_name || r.member_id;
    const type = (r: (typeof rows)[number]) =>
      r.member_type === 1 ? ('staff' as const) : ('customer' as const);
    const current = rows.filter((r) => r.left_at === null);

    return {
      chatId: group.chat_id,
      name: group.name,
      owner: group.owner ? { userid: group.owner, name: group.owner_name ?? '' } : null,
      notice: group.notice,
      createdAt: iso(group.created_at_wecom),
      status: group.status,
      memberCount: current.length,
      customerCount: current.filter((r) => r.member_type === 2).length,
      staffCount: current.filter((r) => r.member_type === 1).length,
      members: current.map((r) => ({
        memberId: r.member_id,
        type: type(r),
        name: r.name || r.customer_name || r.staff_name || '',
        groupNickname: r.group_nickname,
        joinedAt: iso(r.join_time),
        customer: r.external_userid
          ? { externalUserId: r.external_userid, name: r.customer_name ?? '', followedByMe: r.followed_by_me }
          : null,
      })),
      joinedRecently: rows
        .filter((r) => r.join_time && r.join_time.getTime() >= since)
        .sort((a, b) => b.join_time!.getTime() - a.join_time!.getTime())
        .map((r) => ({ memberId: r.member_id, type: type(r), name: displayName(r), at: iso(r.join_time!) })),
      leftRecently: rows
        .filter((r) => r.left_at && r.left_at.getTime() >= since)
        .sort((a, b) => b.left_at!.getTime() - a.left_at!.getTime())
        .map((r) => ({ memberId: r.member_id, type: type(r), name: displayName(r), at: iso(r.left_at!) })),
    };
  }
}
