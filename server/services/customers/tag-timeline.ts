import type { Db } from '../../db/database.js';
import { type TagChange, tagNames } from '../../repositories/contacts.js';
import type { TimelineInput } from '../../repositories/timeline.js';

/** When a customer's tag changes happened, and the occasion that keys their timeline entries. */
export interface TagOccasion {
  at: Date;
  key: string;
}

/**
 * `tag_added` / `tag_removed` timeline entries for tag changes, names filled from the catalogue in
 * one read. The dedupe key holds the occasion, so re-running the same change writes nothing twice.
 */
export async function tagTimelineEntries(
  db: Db,
  changes: { added: TagChange[]; removed: TagChange[] },
  occasionOf: (externalUserid: string) => TagOccasion,
): Promise<TimelineInput[]> {
  const all = [...changes.added, ...changes.removed];
  if (!all.length) return [];
  const missing = all.filter((c) => c.tagName === undefined).map((c) => c.tagId);
  const names = new Map((await tagNames(db, missing)).map((t) => [t.tag_id, t]));
  const entry = (kind: 'tag_added' | 'tag_removed', c: TagChange): TimelineInput => {
    const occasion = occasionOf(c.externalUserid);
    return {
      externalUserid: c.externalUserid,
      kind,
      actor: c.userid,
      occurredAt: occasion.at,
      data: {
        tagId: c.tagId,
        tagName: c.tagName ?? names.get(c.tagId)?.name ?? c.tagId,
        groupName: c.groupName ?? names.get(c.tagId)?.group_name ?? '',
        userid: c.userid,
      },
      dedupeKey: `${kind}:${c.externalUserid}:${c.userid}:${c.tagId}:${occasion.key}`,
    };
  };
  return [
    ...changes.added.map((c) => entry('tag_added', c)),
    ...changes.removed.map((c) => entry('tag_removed', c)),
  ];
}
