import type { Db } from '../../db/database.js';
import type { Logger } from '../../infra/logger.js';
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

/** Told which tags were added to which customers (the SOP engine evaluates high intent for a watched tag). */
export type TagsAddedHook = (
  added: ReadonlyArray<{ externalUserid: string; tagName: string }>,
) => Promise<void>;

/**
 * Tells the hook about the `tag_added` entries among `entries`, after they were stored. Never
 * throws: the tags are stored, and the scheduled high-intent scan finds the entries a lost call missed.
 */
export async function tellTagsAdded(
  hook: TagsAddedHook | undefined,
  entries: readonly TimelineInput[],
  logger: Logger,
): Promise<void> {
  const added = entries
    .filter((e) => e.kind === 'tag_added')
    .map((e) => ({ externalUserid: e.externalUserid, tagName: String(e.data.tagName) }));
  if (!hook || !added.length) return;
  try {
    await hook(added);
  } catch (err) {
    logger.warn({ err }, 'tags-added hook failed; the scheduled high-intent scan will find the tags');
  }
}
