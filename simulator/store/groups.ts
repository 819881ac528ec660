import { md5Hex, newId } from '../ids.js';
import type { GroupInput, GroupMemberInput } from '../schemas.js';

export interface GroupMember {
  userid: string;
  type: 1 | 2;
  join_time: number;
  join_scene: number;
  invitor?: string;
  group_nickname: string;
  name: string;
  unionid?: string;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  notice: string;
  create_time: number;
  members: Map<string, GroupMember>;
  admins: string[];
  member_version: string;
  versionCounter: number;
  slot: number;
}

/** Customer groups (客户群); membership changes always produce a new member_version. */
export class GroupStore {
  readonly chats = new Map<string, GroupChat>();
  private readonly order: string[] = [];

  constructor(private readonly isStaff: (userid: string) => boolean) {}

  clear(): void {
    this.chats.clear();
    this.order.length = 0;
  }

  create(input: GroupInput, nowSeconds: number): GroupChat {
    const chatId = input.chat_id ?? newId.chatId();
    const prev = this.chats.get(chatId);
    const chat: GroupChat = {
      chat_id: chatId,
      name: input.name ?? prev?.name ?? '',
      owner: input.owner,
      notice: input.notice ?? prev?.notice ?? '',
      create_time: input.create_time ?? prev?.create_time ?? nowSeconds,
      members: new Map(),
      admins: input.admin_list ?? prev?.admins ?? [],
      member_version: '',
      versionCounter: prev?.versionCounter ?? 0,
      slot: prev?.slot ?? this.order.length,
    };
    if (!prev) this.order.push(chatId);
    const members = input.members ?? [];
    if (!members.some((m) => m.userid === input.owner)) {
      this.putMember(chat, { userid: input.owner, join_scene: 1 }, chat.create_time);
    }
    for (const member of members) this.putMember(chat, member, chat.create_time);
    this.chats.set(chatId, chat);
    this.bumpVersion(chat);
    return chat;
  }

  addMembers(chat: GroupChat, members: GroupMemberInput[], nowSeconds: number): string[] {
    const added = members.map((m) => this.putMember(chat, m, nowSeconds).userid);
    this.bumpVersion(chat);
    return added;
  }

  removeMembers(chat: GroupChat, userids: string[]): string[] {
    const removed = userids.filter((u) => chat.members.delete(u));
    chat.admins = chat.admins.filter((a) => chat.members.has(a));
    this.bumpVersion(chat);
    return removed;
  }

  dismiss(chatId: string): boolean {
    return this.chats.delete(chatId);
  }

  /** Chats in creation order from list position `from`. */
  *list(from = 0): Generator<{ chat: GroupChat; slot: number }> {
    for (let slot = from; slot < this.order.length; slot++) {
      const chatId = this.order[slot];
      const chat = chatId === undefined ? undefined : this.chats.get(chatId);
      if (chat && chat.slot === slot) yield { chat, slot };
    }
  }

  private putMember(chat: GroupChat, input: GroupMemberInput, nowSeconds: number): GroupMember {
    const type = input.type ?? (this.isStaff(input.userid) ? 1 : 2);
    const member: GroupMember = {
      userid: input.userid,
      type,
      join_time: input.join_time ?? nowSeconds,
      join_scene: input.join_scene ?? 1,
      group_nickname: input.group_nickname ?? '',
      name: input.name ?? '',
    };
    const invitor = input.invitor ?? (input.userid === chat.owner ? undefined : chat.owner);
    if (invitor !== undefined) member.invitor = invitor;
    if (input.unionid !== undefined) member.unionid = input.unionid;
    chat.members.set(member.userid, member);
    return member;
  }

  private bumpVersion(chat: GroupChat): void {
    chat.versionCounter += 1;
    chat.member_version = md5Hex(`${chat.chat_id}:${chat.versionCounter}`);
  }
}
