import { sql } from 'kysely';
import type { Role } from '../../../shared/api.js';
import type { Db } from '../../db/database.js';
import { forbidden, notFound } from '../../errors.js';

export interface AccessUser {
  userid: string;
  role: Role;
}

/** Relation statuses that count as "following": a half relation is one WeCom has not confirmed yet. */
export const VISIBLE_RELATION_STATUSES = ['active', 'half'] as const;

export const seesEverything = (user: AccessUser) => user.role === 'supervisor' || user.role === 'admin';

/**
 * Who may read and change which customer or group. Staff: customers they follow (an active or
 * half follow relation; a relation the customer or the staff member deleted no longer counts) and
 * groups they own, belong to, or that contain a customer they follow. Supervisors and admins: all.
 */
export class CustomerAccess {
  constructor(private readonly deps: { db: Db }) {}

  /** Throws not_found for an unknown customer, forbidden for one the staff member doesn't follow. */
  async assertCanSee(user: AccessUser, externalUserid: string): Promise<void> {
    const row = await this.deps.db
      .selectFrom('customers as c')
      .leftJoin('follow_relations as f', (j) =>
        j
          .onRef('f.external_userid', '=', 'c.external_userid')
          .on('f.userid', '=', user.userid)
          .on('f.status', 'in', VISIBLE_RELATION_STATUSES),
      )
      .select(['c.external_userid', 'f.userid as follower'])
      .where('c.external_userid', '=', externalUserid)
      .executeTakeFirst();
    if (!row) throw notFound('customer');
    if (!seesEverything(user) && !row.follower) throw forbidden('you do not follow this customer');
  }

  /** The same rule for a caller that already loaded the customer's relations (saves a query). */
  assertCanSeeRelations(
    user: AccessUser,
    relations: ReadonlyArray<{ userid: string; status: string }>,
  ): void {
    if (seesEverything(user)) return;
    const follows = relations.some(
      (r) => r.userid === user.userid && (VISIBLE_RELATION_STATUSES as readonly string[]).includes(r.status),
    );
    if (!follows) throw forbidden('you do not follow this customer');
  }

  async assertCanSeeGroup(user: AccessUser, chatId: string): Promise<void> {
    const { db } = this.deps;
    const group = await db
      .selectFrom('group_chats')
      .select(['chat_id', 'owner'])
      .where('chat_id', '=', chatId)
      .executeTakeFirst();
    if (!group) throw notFound('group');
    if (seesEverything(user) || group.owner === user.userid) return;
    const member = await sql<{ ok: number }>`
      select 1 as ok from group_members m
      where m.chat_id = ${chatId} and m.left_at is null and (
        m.member_id = ${user.userid}
        or (m.member_type = 2 and exists (
          select 1 from follow_relations f
          where f.external_userid = m.member_id and f.userid = ${user.userid}
            and f.status in ('active', 'half')))
      )
      limit 1`.execute(db);
    if (!member.rows.length) throw forbidden('you are not in this group');
  }
}
