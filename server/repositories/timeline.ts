import { sql } from 'kysely';
import type { TimelineKind } from '../../shared/timeline.js';
import type { Db } from '../db/database.js';

export interface TimelineInput {
  externalUserid: string;
  kind: TimelineKind;
  /** staff userid, 'customer' or 'system' */
  actor: string;
  occurredAt: Date;
  data: Record<string, unknown>;
  /** The same occurrence always yields the same key, so writers can retry freely. */
  dedupeKey: string;
}

/** Appends entries; an entry whose dedupe key is already stored is skipped. Returns how many were new. */
export async function appendTimeline(db: Db, entries: readonly TimelineInput[]): Promise<number> {
  if (entries.length === 0) return 0;
  const result = await db
    .insertInto('timeline')
    .columns(['external_userid', 'kind', 'actor', 'occurred_at', 'data', 'dedupe_key'])
    // unnest binds six arrays instead of six parameters per row: far cheaper for big batches
    .expression(
      sql`select * from unnest(
        ${entries.map((e) => e.externalUserid)}::text[],
        ${entries.map((e) => e.kind)}::text[],
        ${entries.map((e) => e.actor)}::text[],
        ${entries.map((e) => e.occurredAt.toISOString())}::timestamptz[],
        ${entries.map((e) => JSON.stringify(e.data))}::jsonb[],
        ${entries.map((e) => e.dedupeKey)}::text[])`,
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export interface TimelineCursor {
  occurredAt: Date;
  id: number;
}

export function encodeTimelineCursor(c: TimelineCursor): string {
  return Buffer.from(`${c.occurredAt.toISOString()}|${c.id}`).toString('base64url');
}

export function decodeTimelineCursor(cursor: string): TimelineCursor | undefined {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(at ?? '');
  const n = Number(id);
  if (Number.isNaN(occurredAt.getTime()) || !Number.isSafeInteger(n)) return undefined;
  return { occurredAt, id: n };
}

/** Newest first, keyset-paged on (occurred_at, id) — served by timeline_customer_page_idx. */
export async function listTimeline(db: Db, externalUserid: string, limit: number, before?: TimelineCursor) {
  let q = db
    .selectFrom('timeline')
    .select(['id', 'kind', 'actor', 'occurred_at', 'data'])
    .where('external_userid', '=', externalUserid);
  if (before) {
    q = q.where(sql<boolean>`(occurred_at, id) < (${before.occurredAt}, ${before.id})`);
  }
  return q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
