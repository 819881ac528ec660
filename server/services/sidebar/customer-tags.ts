import { randomBytes } from 'node:crypto';
import type { TagCatalogue, TagEditResult } from '../../../shared/customer.js';
import type { Db } from '../../db/database.js';
import { AppError, forbidden } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { replaceRelationTags } from '../../repositories/contacts.js';
import { listTagCatalogue } from '../../repositories/tag-catalogue.js';
import { appendTimeline } from '../../repositories/timeline.js';
import type { WeComClient } from '../../wecom/client.js';
import {
  type AccessUser,
  type CustomerAccess,
  seesEverything,
  VISIBLE_RELATION_STATUSES,
} from '../access/customer-access.js';
import { tagTimelineEntries } from '../wecom-sync/contact-sync.js';
import { asWeComFailure } from './wecom-failure.js';

interface Deps {
  db: Db;
  clock: Clock;
  access: CustomerAccess;
  wecom: Pick<WeComClient, 'markTag'>;
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
    const known = await db
      .selectFrom('tags')
      .select('tag_id')
      .where('tag_id', 'in', requested)
      .where('deleted', '=', false)
      .execute();
    const unknown = requested.filter((id) => !known.some((k) => k.tag_id === id));
    if (unknown.length) throw new AppError('bad_request', `unknown tag ids: ${unknown.join(', ')}`);

    try {
      await wecom.markTag({ userid, externalUserid, addTag: change.add, removeTag: change.remove });
    } catch (err) {
      throw asWeComFailure(err);
    }

    const now = clock.now();
    const occasion = `api:${now.getTime()}:${randomBytes(4).toString('hex')}`;
    const changes = await db.transaction().execute(async (tx) => {
      const current = await tx
        .selectFrom('customer_tags')
        .select('tag_id')
        .where('external_userid', '=', externalUserid)
        .where('userid', '=', userid)
        .forUpdate()
        .execute();
      const next = new Set(current.map((r) => r.tag_id));
      for (const id of change.add) next.add(id);
      for (const id of change.remove) next.delete(id);
      const result = await replaceRelationTags(tx, [{ externalUserid, userid, tagIds: [...next] }]);
      await appendTimeline(tx, await tagTimelineEntries(tx, result, now, occasion));
      return result;
    });

    const tags = await db
      .selectFrom('customer_tags as ct')
      .innerJoin('tags as t', 't.tag_id', 'ct.tag_id')
      .innerJoin('tag_groups as g', 'g.group_id', 't.group_id')
      .select(['t.tag_id', 't.name', 'g.group_id', 'g.name as group_name'])
      .where('ct.external_userid', '=', externalUserid)
      .where('ct.userid', '=', userid)
      .orderBy('g.sort_order')
      .orderBy('t.sort_order')
      .execute();
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
    const relation = await this.deps.db
      .selectFrom('follow_relations')
      .select('userid')
      .where('external_userid', '=', externalUserid)
      .where('userid', '=', userid)
      .where('status', 'in', VISIBLE_RELATION_STATUSES)
      .executeTakeFirst();
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
