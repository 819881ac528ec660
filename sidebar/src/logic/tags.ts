import type { Customer360, TagCatalogue } from '../../../shared/customer.js';

/** The tag editor: which tags are the requester's own, and what a save has to add and remove. */

/** Tag ids on the requester's own relation. */
export function myTagIds(tagGroups: Customer360['tagGroups']): string[] {
  return tagGroups.flatMap((g) => g.tags.filter((t) => t.mine).map((t) => t.tagId));
}

export function tagDiff(
  before: readonly string[],
  after: readonly string[],
): { add: string[]; remove: string[] } {
  const was = new Set(before);
  const now = new Set(after);
  return { add: [...now].filter((t) => !was.has(t)), remove: [...was].filter((t) => !now.has(t)) };
}

/**
 * The catalogue for the editor; tags the customer carries that the catalogue no longer lists
 * (deleted in WeCom) are kept under their own group so they can still be removed.
 */
export function editorGroups(
  catalogue: TagCatalogue,
  tagGroups: Customer360['tagGroups'],
): TagCatalogue['groups'] {
  const known = new Set(catalogue.groups.flatMap((g) => g.tags.map((t) => t.tagId)));
  const orphans = tagGroups.flatMap((g) => g.tags.filter((t) => t.mine && !known.has(t.tagId)));
  return orphans.length
    ? [
        ...catalogue.groups,
        {
          groupId: '_orphans',
          name: '已删除的标签',
          tags: orphans.map((t) => ({ tagId: t.tagId, name: t.name })),
        },
      ]
    : catalogue.groups;
}
