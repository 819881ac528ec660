import type { Db } from '../db/database.js';

export interface BehaviorEventRecord {
  eventId: string;
  externalUserid: string;
  kind: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** Events are facts: a re-sent event id is ignored. Returns the ids that were new. */
export async function insertBehaviorEvents(
  db: Db,
  events: readonly BehaviorEventRecord[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await db
    .insertInto('behavior_events')
    .values(
      events.map((e) => ({
        event_id: e.eventId,
        external_userid: e.externalUserid,
        kind: e.kind,
        occurred_at: e.occurredAt,
        data: JSON.stringify(e.data),
      })),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .execute();
  return new Set(rows.map((r) => r.event_id));
}
