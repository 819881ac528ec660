import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/database.js';
import { preparedMarker } from '../db/prepared.js';

/** JSON renders timestamps and numerics as text/numbers; these are the raw shapes it yields. */
type JsonTime = string;

/**
 * Everything the sidebar shows about one customer, in one statement: each part is an indexed
 * subquery on the customer's key (follow_relations PK, customer_tags PK, orders_customer_paid_idx,
 * order_items PK, coupons_customer_idx, sop_tasks_customer_idx, group_members_member_idx), prepared
 * once per connection because planning it costs more than running it.
 */
export function loadCustomer360(db: Db, externalUserid: string, now: Date) {
  return db
    .selectFrom('customers as c')
    .selectAll('c')
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('follow_relations as f')
          .leftJoin('staff as s', 's.userid', 'f.userid')
          .select([
            'f.userid',
            sql<string>`coalesce(s.name, '')`.as('name'),
            'f.remark',
            'f.description',
            'f.state',
            'f.add_way',
            sql<JsonTime>`f.added_at`.as('added_at'),
            'f.status',
          ])
          .whereRef('f.external_userid', '=', 'c.external_userid')
          .orderBy('f.added_at')
          .orderBy('f.userid'),
      ).as('followers'),
      jsonArrayFrom(
        eb
          .selectFrom('customer_tags as ct')
          .innerJoin('tags as t', 't.tag_id', 'ct.tag_id')
          .innerJoin('tag_groups as g', 'g.group_id', 't.group_id')
          .select(['ct.userid', 't.tag_id', 't.name', 'g.group_id', 'g.name as group_name'])
          .whereRef('ct.external_userid', '=', 'c.external_userid')
          .orderBy('g.sort_order')
          .orderBy('g.group_id')
          .orderBy('t.sort_order')
          .orderBy('t.tag_id'),
      ).as('tags'),
      jsonArrayFrom(
        eb
          .selectFrom('orders as o')
          .select((oe) => [
            'o.order_id',
            'o.amount_fen',
            'o.status',
            sql<JsonTime>`o.paid_at`.as('paid_at'),
            sql<JsonTime | null>`o.refunded_at`.as('refunded_at'),
            'o.coupon_id',
            jsonArrayFrom(
              oe
                .selectFrom('order_items as i')
                .select(['i.sku', 'i.name', 'i.qty', 'i.price_fen'])
                .whereRef('i.order_id', '=', 'o.order_id')
                .orderBy('i.line_no'),
            ).as('items'),
          ])
          .whereRef('o.external_userid', '=', 'c.external_userid')
          .orderBy('o.paid_at', 'desc')
          .limit(10),
      ).as('orders'),
      jsonArrayFrom(
        eb
          .selectFrom('coupons as cp')
          .select([
            'cp.coupon_id',
            'cp.name',
            'cp.value_fen',
            sql<JsonTime>`cp.issued_at`.as('issued_at'),
            sql<JsonTime>`cp.expires_at`.as('expires_at'),
          ])
          .whereRef('cp.external_userid', '=', 'c.external_userid')
          .where('cp.expires_at', '>', now)
          .where('cp.used_at', 'is', null)
          .orderBy('cp.expires_at'),
      ).as('coupons'),
      jsonArrayFrom(
        eb
          .selectFrom('sop_tasks as st')
          .innerJoin('sop_rules as r', 'r.id', 'st.rule_id')
          .select([
            'st.id',
            'st.rule_id',
            'r.name as rule_name',
            'st.userid',
            'st.status',
            'st.message',
            sql<JsonTime>`st.due_at`.as('due_at'),
            sql<JsonTime>`st.created_at`.as('created_at'),
          ])
          .whereRef('st.external_userid', '=', 'c.external_userid')
          .where('st.status', 'in', ['pending', 'sent'])
          .orderBy('st.due_at'),
      ).as('tasks'),
      jsonArrayFrom(
        eb
          .selectFrom('group_members as m')
          .innerJoin('group_chats as gc', 'gc.chat_id', 'm.chat_id')
          .select(['m.chat_id', 'gc.name', sql<JsonTime | null>`m.join_time`.as('join_time')])
          .whereRef('m.member_id', '=', 'c.external_userid')
          .where('m.member_type', '=', 2)
          .where('m.left_at', 'is', null)
          .where('gc.status', '=', 'active')
          .orderBy('m.join_time', 'desc'),
      ).as('groups'),
    ])
    .where('c.external_userid', '=', externalUserid)
    .modifyEnd(sql.raw(preparedMarker('customer_360')))
    .executeTakeFirst();
}

export type Customer360Row = NonNullable<Awaited<ReturnType<typeof loadCustomer360>>>;
