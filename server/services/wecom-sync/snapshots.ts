import type { ContactSnapshot, RelationSnapshot } from '../../repositories/contacts.js';
import type { GroupSnapshot } from '../../repositories/groups.js';
import type { WeComExternalContact, WeComFollowUser, WeComGroupChat } from './wecom-port.js';

/** WeCom's corp tags have type 1; personal (2) and rule (3) tags are not the corp catalogue. */
const CORP_TAG = 1;

const fromUnix = (s: number | undefined): Date | null => (s ? new Date(s * 1000) : null);

export function toContactSnapshot(c: WeComExternalContact): ContactSnapshot {
  return {
    externalUserid: c.external_userid,
    name: c.name ?? '',
    avatar: c.avatar || null,
    type: c.type ?? null,
    gender: c.gender ?? null,
    unionid: c.unionid || null,
    corpName: c.corp_name || null,
  };
}

export function toRelationSnapshot(externalUserid: string, f: WeComFollowUser, now: Date): RelationSnapshot {
  const tagIds =
    f.tag_id ?? (f.tags ?? []).filter((t) => (t.type ?? CORP_TAG) === CORP_TAG).map((t) => t.tag_id!);
  return {
    externalUserid,
    userid: f.userid,
    remark: f.remark ?? '',
    description: f.description ?? '',
    remarkMobiles: f.remark_mobiles ?? [],
    addWay: f.add_way ?? null,
    state: f.state || null,
    addedAt: fromUnix(f.createtime) ?? now,
    tagIds: tagIds.filter(Boolean),
  };
}

export function toGroupSnapshot(g: WeComGroupChat): GroupSnapshot {
  return {
    chatId: g.chat_id,
    name: g.name ?? '',
    owner: g.owner ?? null,
    notice: g.notice ?? '',
    createdAt: fromUnix(g.create_time),
    memberVersion: g.member_version ?? null,
    members: (g.member_list ?? []).map((m) => ({
      memberId: m.userid,
      type: m.type,
      name: m.name ?? '',
      groupNickname: m.group_nickname ?? '',
      joinTime: fromUnix(m.join_time),
      joinScene: m.join_scene ?? null,
      invitor: m.invitor?.userid ?? null,
    })),
  };
}
