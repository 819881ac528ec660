import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import { replaceTagCatalogue } from '../../repositories/tag-catalogue.js';
import type { SyncWeComApi } from './wecom-port.js';

/** Any `change_external_tag` event (create, update, delete, shuffle) resyncs the whole catalogue. */
export class TagCatalogueService {
  constructor(private readonly deps: { db: Db; wecom: SyncWeComApi; clock: Clock }) {}

  async resync(): Promise<number> {
    const { tag_group = [] } = await this.deps.wecom.getCorpTagList({});
    const groups = tag_group
      .filter((g) => !g.deleted)
      .map((g) => ({
        groupId: g.group_id,
        name: g.group_name,
        order: g.order ?? 0,
        tags: (g.tag ?? [])
          .filter((t) => !t.deleted)
          .map((t) => ({ tagId: t.id, name: t.name, order: t.order ?? 0 })),
      }));
    await replaceTagCatalogue(this.deps.db, groups, this.deps.clock.now());
    return groups.reduce((n, g) => n + g.tags.length, 0);
  }
}
