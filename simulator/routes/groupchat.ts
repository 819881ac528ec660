import type { CgiRouter } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../ids.js';
import { optInt, optObject, optString, optStringArray, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';
import type { GroupChat, GroupMember } from '../store/groups.js';

export function registerGroupChatApis(api: CgiRouter, state: SimulatorState): void {
  const { groups, contacts } = state;

  function memberName(member: GroupMember): string {
    if (member.name !== '') return member.name;
    const known =
      member.type === 1 ? contacts.staff.get(member.userid) : contacts.customers.get(member.userid);
    return known?.name ?? '';
  }

  api.post('externalcontact/groupchat/list', ({ body }) => {
    const limit = optInt(body, 'limit');
    if (limit === undefined || limit < 1 || limit > 1000)
      throw new WeComError(ErrCode.invalidArgs, 'invalid limit');
    const statusFilter = optInt(body, 'status_filter') ?? 0;
    const ownerFilter = optObject(body, 'owner_filter');
    const owners =
      ownerFilter === undefined ? undefined : new Set(optStringArray(ownerFilter, 'userid_list') ?? []);
    const start = decodeCursor(optString(body, 'cursor') ?? '', 1);
    if (!start) throw new WeComError(ErrCode.invalidArgs, 'invalid cursor');

    const chats: GroupChat[] = [];
    let lastSlot = -1;
    let more = false;
    // every simulated group is in normal status (0); other status filters match nothing
    if (statusFilter === 0) {
      for (const { chat, slot } of groups.list(start[0] ?? 0)) {
        if (owners !== undefined && !owners.has(chat.owner)) continue;
        if (chats.length === limit) {
          more = true;
          break;
        }
        chats.push(chat);
        lastSlot = slot;
      }
    }
    return {
      group_chat_list: chats.map((c) => ({ chat_id: c.chat_id, status: 0 })),
      next_cursor: more ? encodeCursor([lastSlot + 1]) : '',
    };
  });

  api.post('externalcontact/groupchat/get', ({ body }) => {
    const chat = groups.chats.get(reqString(body, 'chat_id'));
    if (!chat) throw new WeComError(ErrCode.chatNotFound);
    const needName = optInt(body, 'need_name') === 1;
    return {
      group_chat: {
        chat_id: chat.chat_id,
        name: chat.name,
        owner: chat.owner,
        create_time: chat.create_time,
        notice: chat.notice,
        member_list: [...chat.members.values()].map((m) => ({
          userid: m.userid,
          type: m.type,
          ...(m.unionid !== undefined ? { unionid: m.unionid } : {}),
          join_time: m.join_time,
          join_scene: m.join_scene,
          ...(m.invitor !== undefined ? { invitor: { userid: m.invitor } } : {}),
          group_nickname: m.group_nickname,
          ...(needName ? { name: memberName(m) } : {}),
        })),
        admin_list: chat.admins.map((userid) => ({ userid })),
        member_version: chat.member_version,
      },
    };
  });
}
