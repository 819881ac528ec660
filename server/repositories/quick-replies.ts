import { type Insertable, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { QuickRepliesTable } from '../db/schema.js';

export type QuickReplyValues = Omit<Insertable<QuickRepliesTable>, 'id' | 'times_sent'>;

/** Search by words in title or content, within a group; library order (group, sort order). */
export function searchQuickReplies(db: Db, filter: { q?: string | undefined; group?: string | undefined }) {
  let query = db.selectFrom('quick_replies').selectAll();
  if (filter.group) query = query.where('group_name', '=', filter.group);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('title', 'ilike', pattern), eb('content', 'ilike', pattern)]));
  }
  return query.orderBy('group_name').orderBy('sort_order').orderBy('id').limit(500).execute();
}

export async function quickReplyGroups(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('quick_replies')
    .select('group_name')
    .distinct()
    .orderBy('group_name')
    .execute();
  return rows.map((r) => r.group_name);
}

export function insertQuickReply(db: Db, values: QuickReplyValues) {
  return db.insertInto('quick_replies').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateQuickReply(
  db: Db,
  id: number,
  values: Omit<QuickReplyValues, 'created_by' | 'created_at'>,
) {
  return db.updateTable('quick_replies').set(values).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteQuickReply(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('quick_replies').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countQuickReplySent(db: Db, id: number): Promise<number | undefined> {
  const row = await db
    .updateTable('quick_replies')
    .set({ times_sent: sql`times_sent + 1` })
    .where('id', '=', id)
    .returning('times_sent')
    .executeTakeFirst();
  return row?.times_sent;
}

/** What the variables of one customer render from, for one staff member. */
export function quickReplyContext(db: Db, externalUserid: string, userid: string, now: Date) {
  return db
    .selectFrom('customers as c')
    .leftJoin('follow_relations as f', (j) =>
      j.onRef('f.external_userid', '=', 'c.external_userid').on('f.userid', '=', userid),
    )
    .select((eb) => [
      'c.name',
      'c.last_order_at',
      'f.remark',
      eb.selectFrom('staff').select('name').where('userid', '=', userid).as('staff_name'),
      eb
        .selectFrom('coupons as cp')
        .select(
          sql<{
            name: string;
            valueFen: number;
            expiresAt: string;
          }>`json_build_object('name', cp.name, 'valueFen', cp.value_fen, 'expiresAt', cp.expires_at)`.as(
            'coupon',
          ),
        )
        .whereRef('cp.external_userid', '=', 'c.external_userid')
        .where('cp.used_at', 'is', null)
        .where('cp.expires_at', '>', now)
        .orderBy('cp.expires_at')
        .limit(1)
        .as('coupon'),
    ])
    .where('c.external_userid', '=', externalUserid)
    .executeTakeFirst();
}
