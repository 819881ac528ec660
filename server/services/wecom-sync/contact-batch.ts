import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { MicroBatcher } from '../../infra/micro-batcher.js';
import {
  type ContactSnapshot,
  channelStateOf,
  ensureStaff,
  type RelationSnapshot,
  replaceRelationTags,
  upsertContacts,
  upsertRelations,
} from '../../repositories/contacts.js';
import { appendTimeline, type TimelineInput } from '../../repositories/timeline.js';
import type { ContactEvent } from '../../wecom/callback-events.js';
import { type TagsAddedHook, tagTimelineEntries, tellTagsAdded } from '../customers/tag-timeline.js';
import { toContactSnapshot, toRelationSnapshot } from './snapshots.js';
import type { SyncWeComApi } from './wecom-port.js';

export type ContactDetail = Awaited<ReturnType<SyncWeComApi['getExternalContact']>>;

/** Recomputes lifecycle stage and the other derived values (see services/customers). */
export interface DerivedRefresher {
  refreshDerived(externalUserids: readonly string[], db: Db): Promise<number>;
}

/** An add or edit event with the contact as WeCom answered for it. */
export interface FetchedContact {
  event: ContactEvent;
  /** the event's CreateTime */
  at: Date;
  detail: ContactDetail;
  /** from `fetchStarted()`: orders the fetches of this process */
  fetchSeq: number;
}

/** The timeline entry an add or edit event itself yields. */
function eventEntry({ event: e, at, detail }: FetchedContact, now: Date): TimelineInput {
  const follow = detail.follow_user?.find((f) => f.userid === e.UserID);
  const own = follow ? toRelationSnapshot(e.ExternalUserID, follow, now) : undefined;
  if (e.ChangeType === 'edit_external_contact') {
    return {
      externalUserid: e.ExternalUserID,
      kind: 'contact_edited',
      actor: e.UserID,
      occurredAt: at,
      data: { userid: e.UserID, remark: own?.remark ?? '', description: own?.description ?? '' },
      dedupeKey: `contact_edited:${e.ExternalUserID}:${e.UserID}:${e.CreateTime}`,
    };
  }
  return {
    externalUserid: e.ExternalUserID,
    kind: 'contact_added',
    actor: e.UserID,
    occurredAt: at,
    data: {
      userid: e.UserID,
      state: e.State ?? own?.state ?? null,
      addWay: own?.addWay ?? null,
      half: e.ChangeType === 'add_half_external_contact',
    },
    dedupeKey: `contact_added:${e.ExternalUserID}:${e.UserID}:${e.CreateTime}`,
  };
}

/**
 * The relations of one customer from the freshest fetch among `events`; a relation an event names
 * carries that event's time (the latest, if several do) and is half only if every such event was
 * add_half_external_contact.
 */
function relationsFor(freshest: FetchedContact, events: readonly ContactEvent[], now: Date) {
  const ext = freshest.event.ExternalUserID;
  const byUser = new Map<string, RelationSnapshot>();
  for (const f of freshest.detail.follow_user ?? []) {
    const r = toRelationSnapshot(ext, f, now);
    const named = events.filter((e) => e.UserID === f.userid);
    byUser.set(
      f.userid,
      named.length
        ? {
            ...r,
            eventAt: new Date(Math.max(...named.map((e) => e.CreateTime)) * 1000),
            half: named.every((e) => e.ChangeType === 'add_half_external_contact'),
          }
        : r,
    );
  }
  return [...byUser.values()];
}

/**
 * Which snapshot of a customer is newest, by the order in which this process started fetching
 * them: a fetch that started later saw WeCom's state no earlier. A snapshot older than one
 * already written is not written (its event's own timeline entry still is).
 */
class FetchOrder {
  #last = 0;
  /** started and not yet written or abandoned; a Set iterates in insertion (= ascending) order */
  readonly #open = new Set<number>();
  readonly #written = new Map<string, number>();

  start(): number {
    this.#open.add(++this.#last);
    return this.#last;
  }

  isStale(externalUserid: string, seq: number): boolean {
    return (this.#written.get(externalUserid) ?? 0) > seq;
  }

  written(externalUserid: string, seq: number): void {
    if ((this.#written.get(externalUserid) ?? 0) < seq) this.#written.set(externalUserid, seq);
  }

  close(seqs: Iterable<number>): void {
    for (const s of seqs) this.#open.delete(s);
    // a customer last written from a fetch older than every open one can't be overtaken any more
    const oldestOpen = this.#open.values().next().value ?? Number.POSITIVE_INFINITY;
    for (const [ext, s] of this.#written) if (s < oldestOpen) this.#written.delete(ext);
  }
}

/**
 * Writes contact events that jobs running at the same time hand in as one transaction: a few
 * multi-row statements for customers, relations, tags and timeline, and one derived-values refresh,
 * instead of about eight statements per event. Each job still waits for its own event to be
 * committed. A batch that fails is written again event by event (see MicroBatcher), so one bad
 * event fails only its own job. Events for the same customer in one batch are merged: the
 * freshest fetch is written and every event keeps its own timeline entry.
 */
export class ContactBatchWriter {
  readonly #order = new FetchOrder();
  readonly #batcher: MicroBatcher<FetchedContact, Promise<void>>;
  /** staff rows known to exist; saves a statement per batch */
  readonly #knownStaff = new Set<string>();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      insights: DerivedRefresher;
      /** told, after the write committed, which tags sync newly put on customers */
      tagsAdded?: TagsAddedHook | undefined;
      batch?: { maxBatch?: number; concurrency?: number; lingerMs?: number } | undefined;
    },
  ) {
    this.#batcher = new MicroBatcher({
      write: (items) => this.#writeBatch(items),
      maxBatch: deps.batch?.maxBatch ?? 100,
      concurrency: deps.batch?.concurrency ?? 2,
      // a customer's events are written in order, never by two transactions at once
      keyOf: (item) => item.event.ExternalUserID,
      lingerMs: deps.batch?.lingerMs ?? 0,
    });
  }

  get stats() {
    return this.#batcher.stats;
  }

  /** Call just before fetching a contact; pass the number on with the fetched contact. */
  fetchStarted(): number {
    return this.#order.start();
  }

  fetchAbandoned(seq: number): void {
    this.#order.close([seq]);
  }

  /** Resolves once this event is committed (and the tags-added hook has run). */
  async write(item: FetchedContact): Promise<void> {
    try {
      await this.#batcher.submit(item);
    } finally {
      this.#order.close([item.fetchSeq]);
    }
  }

  async #writeBatch(items: readonly FetchedContact[]): Promise<Promise<void>[]> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const byCustomer = new Map<string, FetchedContact[]>();
    for (const item of items) {
      const ext = item.event.ExternalUserID;
      byCustomer.set(ext, [...(byCustomer.get(ext) ?? []), item]);
    }
    const contacts: ContactSnapshot[] = [];
    const relations: RelationSnapshot[] = [];
    /** per customer written: the latest event, whose time the tag entries carry */
    const occasions = new Map<string, FetchedContact>();
    const writtenSeq = new Map<string, number>();
    for (const [ext, group] of byCustomer) {
      const freshest = group.reduce((a, b) => (b.fetchSeq > a.fetchSeq ? b : a));
      if (!this.#order.isStale(ext, freshest.fetchSeq)) {
        const rels = relationsFor(
          freshest,
          group.map((g) => g.event),
          now,
        );
        contacts.push({
          ...toContactSnapshot(freshest.detail.external_contact),
          channelState: channelStateOf(rels),
        });
        relations.push(...rels);
        occasions.set(
          ext,
          group.reduce((a, b) => (b.event.CreateTime > a.event.CreateTime ? b : a)),
        );
        writtenSeq.set(ext, freshest.fetchSeq);
      }
    }
    // the same order in every batch, so concurrent writers lock rows in the same order
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    contacts.sort((a, b) => byText(a.externalUserid, b.externalUserid));
    relations.sort((a, b) => byText(a.externalUserid, b.externalUserid) || byText(a.userid, b.userid));
    const staff = [
      ...new Set([...items.map((i) => i.event.UserID), ...relations.map((r) => r.userid)]),
    ].filter((u) => !this.#knownStaff.has(u));

    const loggedTags = await db.transaction().execute(async (tx) => {
      await ensureStaff(tx, staff);
      await upsertContacts(tx, contacts, now);
      await upsertRelations(tx, relations, now);
      const changes = await replaceRelationTags(tx, relations);
      // tag changes carry the time of their customer's latest event; then each event's own entry
      const tagEntries = await tagTimelineEntries(tx, changes, (ext) => {
        const latest = occasions.get(ext)!;
        return { at: latest.at, key: String(latest.event.CreateTime) };
      });
      const entries = new Map<string, TimelineInput>();
      for (const entry of [...tagEntries, ...items.map((item) => eventEntry(item, now))]) {
        entries.set(entry.dedupeKey, entry);
      }
      await appendTimeline(tx, [...entries.values()]);
      await this.deps.insights.refreshDerived([...byCustomer.keys()], tx);
      return tagEntries;
    });
    for (const u of staff) this.#knownStaff.add(u);
    for (const [ext, seq] of writtenSeq) this.#order.written(ext, seq);
    const after = tellTagsAdded(this.deps.tagsAdded, loggedTags, this.deps.logger);
    return items.map(() => after);
  }
}
