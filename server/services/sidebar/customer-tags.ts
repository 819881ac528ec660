import { randomBytes } from 'node:crypto';
import type { TagCatalogue, TagEditResult } from '../../../shared/customer.js';
import type { Db } from '../../db/database.js';
import { AppError, forbidden } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { replaceRelationTags } from '../../repositories/contacts.js';
import {
  isFollowing,
  liveTagIds,
  lockRelationTagIds,
  relationTags,
} from '../../repositories/relation-tags.js';
import { listTagCatalogue } from '../../repositories/tag-catalogue.js';
import { appendTimeline } from '../../repositories/timeline.js';
import type { WeComClient } from '../../wecom/client.js';
import { type AccessUser, type CustomerAccess, seesEverything } from '../access/customer-access.js';
import { type TagsAddedHook, tagTimelineEntries, tellTagsAdded } from '../customers/tag-timeline.js';
import { asWeComFailure } from './wecom-failure.js';

interface Deps {
  db: Db;
  clock: Clock;
  access: CustomerAccess;
  wecom: Pick<WeComClient, 'markTag'>;
  logger: Logger;
  tagsAdded?: TagsAddedHook;
}

/**
 * Tag edits from the sidebar. Tags belong to one follow relation: staff edit their own;
 * supervisors and admins name the relation with `userid` (or use their own, if they follow).
 * WeCom is the source of truth, so it is told first and local state changes only on its success.
 */
export class CustomerTags {
  constructor(private readonly deps: Deps) {}

  /** The corp's tag catalogue, grouped, in WeCom's order: what the tag editor offers. */
  async catalogue(): Promise<TagCatalogue> {
    const groups = new Map<string, TagCatalogue['groups'][number]>();
    for (const t of await listTagCatalogue(this.deps.db)) {
      let group = groups.get(t.group_id);
      if (!group) {
        group = { groupId: t.group_id, name: t.group_name, tags: [] };
        groups.set(t.group_id, group);
      }
      group.tags.push({ tagId: t.tag_id, name: t.name });
    }
    return { groups: [...groups.values()] };
  }

  async edit(
    user: AccessUser,
    externalUserid: string,
    change: { add: string[]; remove: string[]; userid?: string | undefined },
  ): Promise<TagEditResult> {
    const { db, clock, access, wecom } = this.deps;
    await access.assertCanSee(user, externalUserid);
    const userid = await this.#relationOwner(user, externalUserid, change.userid);

    const requested = [...new Set([...change.add, ...change.remove])];
    const live = await liveTagIds(db, requested);
    const unknown = requested.filter((id) => !live.has(id));
    if (unknown.length) throw new AppError('bad_request', `unknown tag ids: ${unknown.join(', ')}`);

    try {
      await wecom.markTag({ userid, externalUserid, addTag: change.add, removeTag: change.remove });
    } catch (err) {
      throw asWeComFailure(err);
    }

    const now = clock.now();
    const occasion = `api:${now.getTime()}:${randomBytes(4).toString('hex')}`;
    const { changes, entries } = await db.transaction().execute(async (tx) => {
      const current = await lockRelationTagIds(tx, externalUserid, userid);
      const next = new Set(current);
      for (const id of change.add) next.add(id);
      for (const id of change.remove) next.delete(id);
      const result = await replaceRelationTags(tx, [{ externalUserid, userid, tagIds: [...next] }]);
      const logged = await tagTimelineEntries(tx, result, () => ({ at: now, key: occasion }));
      await appendTimeline(tx, logged);
      return { changes: result, entries: logged };
    });
    await tellTagsAdded(this.deps.tagsAdded, entries, this.deps.logger);

    const tags = await relationTags(db, externalUserid, userid);
    return {
      userid,
      tags: tags.map((t) => ({
        tagId: t.tag_id,
        name: t.name,
        groupId: t.group_id,
        groupName: t.group_name,
      })),
      added: changes.added.map((c) => c.tagId),
      removed: changes.removed.map((c) => c.tagId),
    };
  }

  /** Whose relation an edit applies to; it must be a relation that still stands. */
  async #relationOwner(
    user: AccessUser,
    externalUserid: string,
    requested: string | undefined,
  ): Promise<string> {
    if (!seesEverything(user)) {
      if (requested !== undefined && requested !== user.userid) {
        throw forbidden('staff can only edit tags on their own relation');
      }
      return user.userid;
    }
    const userid = requested ?? user.userid;
    const relation = await isFollowing(this.deps.db, externalUserid, userid);
    if (!relation) {
      throw new AppError(
        'bad_request',
        requested === undefined
          ? 'userid is required: name the staff member whose relation to tag'
          : `${userid} does not follow this customer`,
      );
    }
    return userid;
  }
}
