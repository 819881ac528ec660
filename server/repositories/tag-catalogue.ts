import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface TagGroupSnapshot {
  groupId: string;
  name: string;
  order: number;
  tags: Array<{ tagId: string; name: string; order: number }>;
}

/** Makes the local catalogue equal WeCom's: upsert what is there, mark the rest deleted. */
export async function replaceTagCatalogue(
  db: Db,
  groups: readonly TagGroupSnapshot[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const groupIds = groups.map((g) => g.groupId);
    if (groups.length) {
      await tx
        .insertInto('tag_groups')
        .values(
          groups.map((g) => ({ group_id: g.groupId, name: g.name, sort_order: g.order, deleted: false })),
        )
        .onConflict((oc) =>
          oc.column('group_id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            sort_order: eb.ref('excluded.sort_order'),
            deleted: false,
            updated_at: now,
          })),
        )
        .execute();
    }
    const tags = groups.flatMap((g) =>
      g.tags.map((t) => ({
        tag_id: t.tagId,
        group_id: g.groupId,
        name: t.name,
        sort_order: t.order,
        deleted: false,
      })),
    );
    if (tags.length) {
      await tx
        .insertInto('tags')
        .values(tags)
        .onConflict((oc) =>
          oc.column('tag_id').doUpdateSet((eb) => ({
            group_id: eb.ref('excluded.group_id'),
            name: eb.ref('excluded.name'),
            sort_order: eb.ref('excluded.sort_order'),
            deleted: false,
            updated_at: now,
          })),
        )
        .execute();
    }
    const tagIds = tags.map((t) => t.tag_id);
    await sql`update tag_groups set deleted = true, updated_at = ${now}
              where deleted = false and not (group_id = any(${groupIds}::text[]))`.execute(tx);
    await sql`update tags set deleted = true, updated_at = ${now}
              where deleted = false and not (tag_id = any(${tagIds}::text[]))`.execute(tx);
  });
}

export function listTagCatalogue(db: Db) {
  return db
    .selectFrom('tag_groups')
    .innerJoin('tags', 'tags.group_id', 'tag_groups.group_id')
    .select([
      'tag_groups.group_id',
      'tag_groups.name as group_name',
      'tag_groups.sort_order as group_order',
      'tags.tag_id',
      'tags.name',
      'tags.sort_order',
    ])
    .where('tag_groups.deleted', '=', false)
    .where('tags.deleted', '=', false)
    .orderBy('tag_groups.sort_order')
    .orderBy('tags.sort_order')
    .execute();
}
