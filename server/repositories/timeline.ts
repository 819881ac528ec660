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

export interface TimelineRow {
  /** stored entries by their id; a task's creation by the negated task id (below every stored id) */
  id: number;
  kind: TimelineKind;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** The id the API shows for a row: a task's creation is named after the task. */
export function timelineEntryId(row: Pick<TimelineRow, 'id'>): string {
  return row.id < 0 ? `sop_task:${-row.id}` : String(row.id);
}

/**
 * Newest first, keyset-paged on (occurred_at, id). Stored entries come from timeline_customer_page_idx;
 * `sop_task_created` entries are the customer's tasks themselves (sop_tasks_customer_idx): a task row
 * records its creation, so bulk scans do not write a copy per task.
 */
export async function listTimeline(
  db: Db,
  externalUserid: string,
  limit: number,
  before?: TimelineCursor,
): Promise<TimelineRow[]> {
  const storedBefore = before
    ? sql`AND (occurred_at, id) < (${before.occurredAt}, ${before.id}::bigint)`
    : sql``;
  const tasksBefore = before
    ? sql`AND t.created_at <= ${before.occurredAt} AND (t.created_at, -t.id) < (${before.occurredAt}, ${before.id}::bigint)`
    : sql``;
  const { rows } = await sql<TimelineRow>`
    -- float8: a plain number from either driver (ids stay far below 2^53)
    SELECT id::float8 AS id, kind, actor, occurred_at, data FROM (
      (SELECT id, kind, actor, occurred_at, data FROM timeline
        WHERE external_userid = ${externalUserid} ${storedBefore}
        ORDER BY occurred_at DESC, id DESC LIMIT ${limit})
      UNION ALL
      (SELECT -t.id, 'sop_task_created', 'system', t.created_at,
          jsonb_build_object('taskId', t.id, 'ruleId', t.rule_id, 'ruleName', r.name, 'userid', t.userid,
            'variant', t.variant, 'reason', t.reason)
        FROM sop_tasks t LEFT JOIN sop_rules r ON r.id = t.rule_id
        WHERE t.external_userid = ${externalUserid} ${tasksBefore}
        ORDER BY t.created_at DESC, t.id ASC LIMIT ${limit})
    ) entries
    ORDER BY occurred_at DESC, id DESC LIMIT ${limit}`.execute(db);
  return rows;
}
