import { sql } from 'kysely';
import type { Db } from '../../server/db/database.js';

export const C360_SIZES = {
  customers: 1_000_000,
  timeline: 10_000_000,
  orders: 3_000_000,
  staff: 50,
} as const;
const MARKER = 'bench.customer360.generated';
const CHUNK = 1_000_000;

/** `wmb0000001` … the bench's external userids, 1-based. */
export const benchCustomerId = (i: number) => `wmb${String(i).padStart(7, '0')}`;
const idSql = (expr: string) => `'wmb' || lpad((${expr})::text, 7, '0')`;

/** Plain (non-constraint) indexes of a table, to drop before a bulk load and build once after. */
async function plainIndexes(db: Db, table: string): Promise<Array<{ name: string; def: string }>> {
  const { rows } = await sql<{ indexname: string; indexdef: string }>`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = 'public' and i.tablename = ${table}
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db);
  return rows.map((r) => ({ name: r.indexname, def: r.indexdef }));
}

export async function hasC360Data(db: Db): Promise<boolean> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', MARKER).executeTakeFirst();
  const stored = (row?.value ?? {}) as Record<string, unknown>;
  return Object.entries(C360_SIZES).every(([k, v]) => stored[k] === v);
}

/**
 * Fills the bench database in bulk with generate_series: customers with stats, one or two follow
 * relations each, tags, 3 orders per customer with a line each, coupons, groups and the timeline.
 * Foreign-key triggers are off for the session and plain indexes are built after loading.
 */
export async function generateC360Data(db: Db, log: (line: string) => void): Promise<void> {
  const { customers, timeline, orders, staff } = C360_SIZES;
  const tables = [
    'customers',
    'follow_relations',
    'customer_tags',
    'orders',
    'order_items',
    'coupons',
    'timeline',
    'group_members',
  ];
  const indexes = (await Promise.all(tables.map((t) => plainIndexes(db, t)))).flat();
  const timed = async (label: string, statement: string, conn: Db) => {
    const t0 = performance.now();
    await sql.raw(statement).execute(conn);
    log(`  ${label} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  const session = async (conn: Db) => {
    await sql`set session_replication_role = replica`.execute(conn);
    await sql`set synchronous_commit = off`.execute(conn);
    await sql`set maintenance_work_mem = '512MB'`.execute(conn);
  };

  await db.connection().execute(async (conn) => {
    await session(conn);
    await sql
      .raw(`truncate ${tables.join(', ')}, staff, tags, tag_groups, group_chats, settings cascade`)
      .execute(conn);
    for (const ix of indexes) await sql.raw(`drop index if exists ${ix.name}`).execute(conn);

    await timed(
      'staff, tags',
      `insert into staff (userid, name) select 'bs' || i, '员工' || i from generate_series(1, ${staff}) i;
       insert into tag_groups (group_id, name, sort_order) select 'bg' || g, '标签组' || g, g from generate_series(1, 5) g;
       insert into tags (tag_id, group_id, name, sort_order)
         select 'bt' || g || '-' || t, 'bg' || g, '标签' || g || '-' || t, t from generate_series(1, 5) g, generate_series(1, 6) t`,
      conn,
    );
    await timed(
      `${customers} customers`,
      `insert into customers (external_userid, name, type, gender, unionid, wecom_synced_at, total_spent_fen,
         order_count, refund_count, refunded_fen, first_order_at, last_order_at, last_interaction_at,
         lifecycle_stage, rfm_segment, intent_score, channel_state, created_at)
       select ${idSql('i')}, '客户' || i, 1 + i % 2, i % 3, 'union' || i, now(), (i % 997) * 300, 3, i % 2, (i % 2) * 9900,
         now() - interval '700 days' + (i % 300) * interval '1 day', now() - (i % 200) * interval '1 day',
         now() - (i % 100) * interval '1 day',
         (array['new','active','silent','churn_risk','lost'])[1 + i % 5],
         (array['important_value','general_develop','important_winback',null])[1 + i % 4],
         (i % 50)::float / 3, 'ch' || i % 20, now() - interval '720 days'
       from generate_series(1, ${customers}) i`,
      conn,
    );
    await timed(
      'follow relations (1.2 per customer) and tags',
      `insert into follow_relations (external_userid, userid, remark, state, added_at)
         select ${idSql('i')}, 'bs' || (1 + i % ${staff}), '备注' || i, 'ch' || i % 20, now() - (i % 700) * interval '1 day'
         from generate_series(1, ${customers}) i;
       insert into follow_relations (external_userid, userid, added_at)
         select ${idSql('i')}, 'bs' || (1 + (i + 7) % ${staff}), now() - (i % 500) * interval '1 day'
         from generate_series(1, ${customers}, 5) i;
       insert into customer_tags (external_userid, userid, tag_id)
         select ${idSql('i')}, 'bs' || (1 + i % ${staff}), 'bt' || (1 + k) || '-' || (1 + (i + k) % 6)
         from generate_series(1, ${customers}) i, generate_series(0, 1) k`,
      conn,
    );
    await timed(
      `${orders} orders with a line each`,
      `insert into orders (order_id, external_userid, amount_fen, status, paid_at)
         select 'bo' || i, ${idSql(`1 + i % ${customers}`)}, 1000 + (i * 37) % 90000,
           case when i % 20 = 0 then 'refunded' else 'paid' end, now() - ((i::bigint * 7919) % 730) * interval '1 day'
         from generate_series(1, ${orders}) i;
       insert into order_items (order_id, line_no, sku, name, qty, price_fen)
         select 'bo' || i, 1, 'SKU-' || i % 500, '商品' || i % 500, 1, 1000 + (i * 37) % 90000
         from generate_series(1, ${orders}) i`,
      conn,
    );
    await timed(
      'coupons (1 per 2 customers), groups (10k × 50 members)',
      `insert into coupons (coupon_id, external_userid, name, value_fen, issued_at, expires_at, used_at)
         select 'bc' || i, ${idSql(`1 + (i * 2) % ${customers}`)}, '满减券', 5000, now() - interval '10 days',
           now() + ((i % 20) - 5) * interval '1 day', case when i % 3 = 0 then now() end
         from generate_series(1, ${customers / 2}) i;
       insert into group_chats (chat_id, name, owner) select 'bgc' || g, '群' || g, 'bs' || (1 + g % ${staff})
         from generate_series(1, 10000) g;
       insert into group_members (chat_id, member_id, member_type, join_time)
         select 'bgc' || (1 + i % 10000), ${idSql(`1 + (i * 3) % ${customers}`)}, 2, now() - (i % 90) * interval '1 day'
         from generate_series(1, 500000) i`,
      conn,
    );
  });

  // the timeline in chunks on two connections (two cores)
  const chunks = Array.from({ length: timeline / CHUNK }, (_, c) => c);
  const kinds = `(array['behavior','order_paid','tag_added','note','coupon_issued','group_joined'])`;
  await Promise.all(
    [0, 1].map((lane) =>
      db.connection().execute(async (conn) => {
        await session(conn);
        for (const c of chunks.filter((x) => x % 2 === lane)) {
          const lo = c * CHUNK + 1;
          await timed(
            `timeline rows ${lo}…${lo + CHUNK - 1}`,
            `insert into timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
               select ${idSql(`1 + (i * 7) % ${customers}`)}, ${kinds}[1 + i % 6], 'customer',
                 now() - ((i::bigint * 104729) % 63072000) * interval '1 second',
                 jsonb_build_object('n', i, 'page', '/p/' || i % 300), 'bench:' || lpad(i::text, 9, '0')
               from generate_series(${lo}, ${lo + CHUNK - 1}) i`,
            conn,
          );
        }
      }),
    ),
  );

  // rebuild the dropped indexes, two at a time
  const queue = [...indexes];
  await Promise.all(
    [0, 1].map(() =>
      db.connection().execute(async (conn) => {
        await session(conn);
        for (let ix = queue.shift(); ix; ix = queue.shift()) await timed(`index ${ix.name}`, ix.def, conn);
      }),
    ),
  );
  await timed('analyze', 'analyze', db);
  await db
    .insertInto('settings')
    .values({ key: MARKER, value: JSON.stringify(C360_SIZES) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(C360_SIZES) }))
    .execute();
}
