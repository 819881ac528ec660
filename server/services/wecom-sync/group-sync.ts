import { ACTOR_CUSTOMER } from '../../../shared/timeline.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import { applyGroupSnapshot, dismissGroup, type MemberChange } from '../../repositories/groups.js';
import { appendTimeline, type TimelineInput } from '../../repositories/timeline.js';
import type { ChatEvent } from '../../wecom/callback-events.js';
import { toGroupSnapshot } from './snapshots.js';
import type { SyncWeComApi } from './wecom-port.js';

/** WeCom's member type for external contacts; staff (1) get no customer timeline entries. */
const EXTERNAL_MEMBER = 2;

function memberEntries(
  chatId: string,
  groupName: string,
  joined: MemberChange[],
  left: MemberChange[],
  occasion: string,
): TimelineInput[] {
  const entries: TimelineInput[] = [];
  for (const m of joined.filter((x) => x.type === EXTERNAL_MEMBER)) {
    entries.push({
      externalUserid: m.memberId,
      kind: 'group_joined',
      actor: ACTOR_CUSTOMER,
      occurredAt: m.at,
      data: { chatId, groupName },
      dedupeKey: `group_joined:${chatId}:${m.memberId}:${m.at.getTime()}`,
    });
  }
  for (const m of left.filter((x) => x.type === EXTERNAL_MEMBER)) {
    entries.push({
      externalUserid: m.memberId,
      kind: 'group_left',
      actor: ACTOR_CUSTOMER,
      occurredAt: m.at,
      data: { chatId, groupName },
      dedupeKey: `group_left:${chatId}:${m.memberId}:${occasion}`,
    });
  }
  return entries;
}

/**
 * Applies `change_external_chat` events by re-fetching the group and diffing its members, which
 * makes every event order-independent (WeCom's member versions would only save one fetch).
 */
export class GroupSyncService {
  constructor(private readonly deps: { db: Db; wecom: SyncWeComApi; clock: Clock }) {}

  async handleEvent(e: ChatEvent): Promise<void> {
    const at = new Date(e.CreateTime * 1000);
    if (e.ChangeType === 'dismiss') {
      const { db } = this.deps;
      await db.transaction().execute(async (tx) => {
        const group = await tx
          .selectFrom('group_chats')
          .select('name')
          .where('chat_id', '=', e.ChatId)
          .executeTakeFirst();
        const left = await dismissGroup(tx, e.ChatId, at);
        await appendTimeline(tx, memberEntries(e.ChatId, group?.name ?? '', [], left, String(e.CreateTime)));
      });
      return;
    }
    await this.syncGroup(e.ChatId, at, String(e.CreateTime));
  }

  async syncGroup(chatId: string, at: Date, occasion: string): Promise<void> {
    const { db, wecom } = this.deps;
    const { group_chat } = await wecom.groupChatGet(chatId);
    const snapshot = toGroupSnapshot(group_chat);
    await db.transaction().execute(async (tx) => {
      const { joined, left } = await applyGroupSnapshot(tx, snapshot, at);
      await appendTimeline(tx, memberEntries(chatId, snapshot.name, joined, left, occasion));
    });
  }

  /** Every group of the corp, page by page (nightly reconciliation and first sync). */
  async syncAllGroups(): Promise<number> {
    const { wecom, clock } = this.deps;
    let cursor: string | undefined;
    let count = 0;
    const occasion = `sync-${clock.now().toISOString().slice(0, 10)}`;
    do {
      const page = await wecom.groupChatList({ statusFilter: 0, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const g of page.group_chat_list ?? []) {
        await this.syncGroup(g.chat_id, clock.now(), occasion);
        count++;
      }
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return count;
  }
}
