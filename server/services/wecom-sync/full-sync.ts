import { commitWithoutWaitingForDisk, type Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import {
  type ContactSnapshot,
  channelStateOf,
  ensureStaff,
  type RelationSnapshot,
  replaceRelationTags,
  upsertContacts,
  upsertRelations,
} from '../../repositories/contacts.js';
import { deleteSetting, getSetting, putSetting, recordSyncLane } from '../../repositories/settings.js';
import type { GroupSyncService } from './group-sync.js';
import { toContactSnapshot, toRelationSnapshot } from './snapshots.js';
import type { TagCatalogueService } from './tag-catalogue.js';
import type { SyncWeComApi } from './wecom-port.js';

const PROGRESS_KEY = 'wecom.sync.progress';
const LAST_RUN_KEY = 'wecom.sync.last';
/** batch/get_by_user takes at most 100 userids and returns at most 100 contacts a page. */
const USERIDS_PER_CALL = 100;
const PAGE_LIMIT = 100;
/** Staff are split into lanes paged concurrently: WeCom's cursor paging is sequential per call. */
const LANES = 4;

interface LaneProgress {
  chunk: number;
  cursor: string | null;
}

interface Progress {
  runId: string;
  phase: 'customers' | 'groups';
  lanes: LaneProgress[];
  customers: number;
}

type Page = Awaited<ReturnType<SyncWeComApi['batchGetByUser']>>;

export interface FullSyncResult {
  staff: number;
  tags: number;
  customers: number;
  groups: number;
}

/**
 * The first import and the nightly reconciliation: tags, staff with customer-contact permission,
 * every customer (bulk upserts a page at a time) and every group. Progress is saved after each
 * page, so a retried job resumes where the crashed one stopped; every write is an upsert, so a
 * page done twice changes nothing.
 */
export class FullSyncService {
  constructor(
    private readonly deps: {
      db: Db;
      wecom: SyncWeComApi;
      clock: Clock;
      logger: Logger;
      groups: GroupSyncService;
      tags: TagCatalogueService;
    },
  ) {}

  /** A new installation has never synced: the scheduler then starts the first import at once. */
  async hasCompletedOnce(): Promise<boolean> {
    return (await getSetting<unknown>(this.deps.db, LAST_RUN_KEY, null)) !== null;
  }

  async run(runId: string): Promise<FullSyncResult> {
    const { db, wecom, logger } = this.deps;
    const saved = await getSetting<Progress | null>(db, PROGRESS_KEY, null);
    const progress: Progress =
      saved?.runId === runId && Array.isArray(saved.lanes)
        ? saved
        : {
            runId,
            phase: 'customers',
            lanes: Array.from({ length: LANES }, () => ({ chunk: 0, cursor: null })),
            customers: 0,
          };
    if (saved?.runId === runId) logger.info({ progress }, 'resuming full sync');

    const tags = await this.deps.tags.resync();
    const userids = (await wecom.getFollowUserList()).follow_user ?? [];
    await this.#syncStaff(userids);

    if (progress.phase === 'customers') {
      // the row each page's transaction records its lane's position in
      await putSetting(db, PROGRESS_KEY, progress, this.deps.clock.now());
      // the follow-user list keeps its order between runs, so lane i always gets the same staff;
      // when a lane fails the others stop after the page in hand, so nothing of this run is still
      // writing when it fails and its retry starts
      let failed = false;
      const lanes = await Promise.allSettled(
        progress.lanes.map(async (lane, i) => {
          const staff = userids.filter((_u, j) => j % LANES === i);
          try {
            for (; lane.chunk * USERIDS_PER_CALL < staff.length; lane.chunk++, lane.cursor = null) {
              const chunk = staff.slice(lane.chunk * USERIDS_PER_CALL, (lane.chunk + 1) * USERIDS_PER_CALL);
              if (failed || !(await this.#syncChunk(chunk, i, progress, () => failed))) return;
            }
          } catch (err) {
            failed = true;
            throw err;
          }
        }),
      );
      const failure = lanes.find((l) => l.status === 'rejected');
      if (failure) throw failure.reason;
      progress.phase = 'groups';
      await putSetting(db, PROGRESS_KEY, progress, this.deps.clock.now());
    }
    const groups = await this.deps.groups.syncAllGroups();
    await deleteSetting(db, PROGRESS_KEY);
    const result = { staff: userids.length, tags, customers: progress.customers, groups };
    await putSetting(
      db,
      LAST_RUN_KEY,
      { ...result, runId, finishedAt: this.deps.clock.now() },
      this.deps.clock.now(),
    );
    logger.info(result, 'full sync finished');
    return result;
  }

  async #syncStaff(userids: string[]): Promise<void> {
    const { db, wecom, clock } = this.deps;
    await ensureStaff(db, userids);
    const unnamed = await db
      .selectFrom('staff')
      .select('userid')
      .where('userid', 'in', userids.length ? userids : [''])
      .where('name', '=', '')
      .execute();
    for (const { userid } of unnamed) {
      const user = await wecom.getUser(userid);
      await db
        .updateTable('staff')
        .set({ name: user.name ?? '', avatar: user.avatar ?? null, department_ids: user.department ?? [] })
        .where('userid', '=', userid)
        .execute();
    }
    if (userids.length) {
      await db
        .updateTable('staff')
        .set({ has_contact_permission: true, updated_at: clock.now() })
        .where('userid', 'in', userids)
        .execute();
    }
  }

  /**
   * Pages through one chunk of staff; the next page is fetched while the current one is written.
   * Answers false when it stopped early because `stopped()` said so.
   */
  async #syncChunk(
    useridList: string[],
    laneIndex: number,
    progress: Progress,
    stopped: () => boolean,
  ): Promise<boolean> {
    const { wecom, logger } = this.deps;
    const lane = progress.lanes[laneIndex]!;
    const fetchPage = (cursor: string | null) =>
      wecom.batchGetByUser({ useridList, limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
    let next: Promise<Page> | undefined = fetchPage(lane.cursor);
    while (next) {
      const page: Page = await next;
      next = page.next_cursor ? fetchPage(page.next_cursor) : undefined;
      // don't leave a rejected prefetch unobserved if writing this page throws
      next?.catch(() => undefined);
      const cursor = page.next_cursor || null;
      const customers = page.external_contact_list?.length ?? 0;
      // after a chunk's last page, a resumed run starts at the next chunk
      const position = cursor ? { chunk: lane.chunk, cursor } : { chunk: lane.chunk + 1, cursor: null };
      await this.#writePage(page, { lane: laneIndex, position, customers });
      progress.customers += customers;
      lane.cursor = cursor;
      if (next && stopped()) return false;
    }
    logger.info({ staff: useridList.length, customers: progress.customers }, 'full sync: staff chunk done');
    return true;
  }

  /**
   * One page and the progress past it, in one transaction that does not wait for the disk: a crash
   * of PostgreSQL can lose the last few pages, never a page without the progress past it, so the
   * retried job redoes them. The run's final bookkeeping commits normally, which makes every page
   * before it durable before the job counts as done.
   */
  async #writePage(page: Page, done: Parameters<typeof recordSyncLane>[2]): Promise<void> {
    const list = page.external_contact_list ?? [];
    const now = this.deps.clock.now();
    const relations = list.map((item) =>
      toRelationSnapshot(item.external_contact.external_userid, item.follow_info, now),
    );
    const relationsOf = new Map<string, RelationSnapshot[]>();
    for (const r of relations)
      relationsOf.set(r.externalUserid, [...(relationsOf.get(r.externalUserid) ?? []), r]);
    const contacts = new Map<string, ContactSnapshot>();
    for (const item of list) {
      const id = item.external_contact.external_userid;
      contacts.set(id, {
        ...toContactSnapshot(item.external_contact),
        channelState: channelStateOf(relationsOf.get(id) ?? []),
      });
    }
    await this.deps.db.transaction().execute(async (tx) => {
      await commitWithoutWaitingForDisk(tx);
      await upsertContacts(tx, [...contacts.values()], now);
      await upsertRelations(tx, relations, now);
      await replaceRelationTags(tx, relations);
      // last: the progress row stays locked until commit, and the lanes share it
      await recordSyncLane(tx, PROGRESS_KEY, done, now);
    });
  }
}
