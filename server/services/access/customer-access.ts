import type { Role } from '../../../shared/api.js';
import type { Db } from '../../db/database.js';
import { forbidden, notFound } from '../../errors.js';
import { customerWithFollower, findGroupOwner, groupHasMemberOrFollowed } from '../../repositories/access.js';
import { VISIBLE_RELATION_STATUSES } from '../../repositories/relation-tags.js';

export { VISIBLE_RELATION_STATUSES };

export interface AccessUser {
  userid: string;
  role: Role;
}

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
    const row = await customerWithFollower(this.deps.db, externalUserid, user.userid);
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
    const group = await findGroupOwner(this.deps.db, chatId);
    if (!group) throw notFound('group');
    if (seesEverything(user) || group.owner === user.userid) return;
    if (!(await groupHasMemberOrFollowed(this.deps.db, chatId, user.userid))) {
      throw forbidden('you are not in this group');
    }
  }
}
