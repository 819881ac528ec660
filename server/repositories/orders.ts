import { sql } from 'kysely';
import { ACTOR_CUSTOMER, ACTOR_SYSTEM, type TimelineKind } from '../../shared/timeline.js';
import type { Db } from '../db/database.js';
import type { OrderStatus } from '../db/schema.js';

export interface OrderRecord {
  orderId: string;
  externalUserid: string;
  amountFen: number;
  status: OrderStatus;
  paidAt: Date;
  /** used only when the order becomes refunded; the first refund time stored is kept */
  refundedAt: Date | null;
  couponId: string | null;
}

export interface OrderLineRecord {
  orderId: string;
  lineNo: number;
  sku: string;
  name: string;
  qty: number;
  priceFen: number;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** id → stored customer of each row inserted or updated; the others were stored already, unchanged */
  written: Map<string, string>;
}

export interface OrderUpsert extends UpsertCounts {
  /** ids of the orders this call inserted (not stored before) */
  fresh: Set<string>;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * One statement: a multi-row upsert of `orders`, the `lines` of the orders it inserts, and the
 * timeline entries of every order it writes — `order_paid` (data: orderId, amountFen, and itemCount:
 * how many lines were sent with it) and, once refunded, `order_refunded` (orderId, amountFen); a cancelled
 * order has none. Keys name the occurrence (`order_paid:<orderId>`), so a re-sent order adds no
 * entry. A re-sent order rewrites its row only when something changed (that is what `updated`
 * counts); its customer stays the one it was first reported for, and its lines are left to
 * `replaceOrderLines`. An inserted order's entries cannot be stored yet (they are written only
 * with the order), so they skip the conflict check.
 */
export async function upsertOrders(
  db: Db,
  orders: readonly OrderRecord[],
  lines: readonly OrderLineRecord[],
): Promise<OrderUpsert> {
  if (orders.length === 0) return { inserted: 0, updated: 0, written: new Map(), fresh: new Set() };
  const paid: TimelineKind = 'order_paid';
  const refunded: TimelineKind = 'order_refunded';
  const entryColumns = sql`external_userid, kind, actor, occurred_at, data, dedupe_key`;
  // unnest: one array parameter per column instead of one parameter per value
  const { rows } = await sql<{ order_id: string; external_userid: string; inserted: boolean }>`
    WITH written AS (
      INSERT INTO orders AS o (order_id, external_userid, amount_fen, status, paid_at, refunded_at, coupon_id)
      SELECT * FROM unnest(
        ${orders.map((o) => o.orderId)}::text[],
        ${orders.map((o) => o.externalUserid)}::text[],
        ${orders.map((o) => o.amountFen)}::bigint[],
        ${orders.map((o) => o.status)}::text[],
        ${orders.map((o) => o.paidAt.toISOString())}::timestamptz[],
        ${orders.map((o) => (o.status === 'refunded' ? iso(o.refundedAt) : null))}::timestamptz[],
        ${orders.map((o) => o.couponId)}::text[])
      ON CONFLICT (order_id) DO UPDATE SET
        amount_fen = excluded.amount_fen,
        status = excluded.status,
        paid_at = excluded.paid_at,
        refunded_at = CASE WHEN excluded.status = 'refunded' THEN coalesce(o.refunded_at, excluded.refunded_at) END,
        coupon_id = excluded.coupon_id,
        updated_at = now()
      WHERE (o.amount_fen, o.status, o.paid_at, o.coupon_id)
        IS DISTINCT FROM (excluded.amount_fen, excluded.status, excluded.paid_at, excluded.coupon_id)
      -- xmax is 0 only on a freshly inserted row version
      RETURNING o.order_id, o.external_userid, o.amount_fen, o.status, o.paid_at, o.refunded_at, xmax = 0 AS inserted
    ),
    line AS (
      SELECT * FROM unnest(
        ${lines.map((l) => l.orderId)}::text[],
        ${lines.map((l) => l.lineNo)}::int[],
        ${lines.map((l) => l.sku)}::text[],
        ${lines.map((l) => l.name)}::text[],
        ${lines.map((l) => l.qty)}::int[],
        ${lines.map((l) => l.priceFen)}::bigint[]) AS l(order_id, line_no, sku, name, qty, price_fen)
    ),
    fresh_lines AS (
      INSERT INTO order_items (order_id, line_no, sku, name, qty, price_fen)
      SELECT l.* FROM line l JOIN written w ON w.order_id = l.order_id AND w.inserted
    ),
    entry AS (
      SELECT w.inserted, w.external_userid, e.kind, e.actor, e.occurred_at,
        jsonb_strip_nulls(jsonb_build_object('orderId', w.order_id, 'amountFen', w.amount_fen,
          'itemCount', e.item_count)) AS data,
        e.kind || ':' || w.order_id AS dedupe_key
      FROM written w
      LEFT JOIN (SELECT order_id, count(*)::int AS n FROM line GROUP BY order_id) c ON c.order_id = w.order_id
      CROSS JOIN LATERAL (VALUES
        (${paid}::text, ${ACTOR_CUSTOMER}::text, w.paid_at, coalesce(c.n, 0)),
        (${refunded}::text, ${ACTOR_SYSTEM}::text, w.refunded_at, NULL)
      ) AS e(kind, actor, occurred_at, item_count)
      WHERE w.status <> 'cancelled' AND (e.kind = ${paid}::text OR w.status = 'refunded')
    ),
    fresh_entries AS (
      INSERT INTO timeline (${entryColumns})
      SELECT ${entryColumns} FROM entry WHERE inserted ORDER BY dedupe_key
    ),
    changed_entries AS (
      INSERT INTO timeline (${entryColumns})
      SELECT ${entryColumns} FROM entry WHERE NOT inserted ORDER BY dedupe_key
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT order_id, external_userid, inserted FROM written`.execute(db);
  const fresh = new Set(rows.filter((r) => r.inserted).map((r) => r.order_id));
  return {
    inserted: fresh.size,
    updated: rows.length - fresh.size,
    written: new Map(rows.map((r) => [r.order_id, r.external_userid])),
    fresh,
  };
}

/**
 * Deletes the stored lines of the orders in `clear`, then inserts `lines` (orders sent without
 * items keep theirs). An order inserted in this transaction has no lines to clear.
 */
export async function replaceOrderLines(
  db: Db,
  clear: readonly string[],
  lines: readonly OrderLineRecord[],
): Promise<void> {
  if (clear.length > 0) {
    await db
      .deleteFrom('order_items')
      .where('order_id', '=', sql<string>`ANY(${[...clear]}::text[])`)
      .execute();
  }
  if (lines.length === 0) return;
  await db
    .insertInto('order_items')
    .columns(['order_id', 'line_no', 'sku', 'name', 'qty', 'price_fen'])
    .expression(
      sql`SELECT * FROM unnest(
        ${lines.map((l) => l.orderId)}::text[],
        ${lines.map((l) => l.lineNo)}::int[],
        ${lines.map((l) => l.sku)}::text[],
        ${lines.map((l) => l.name)}::text[],
        ${lines.map((l) => l.qty)}::int[],
        ${lines.map((l) => l.priceFen)}::bigint[])`,
    )
    .execute();
}

export function listOrdersOf(db: Db, externalUserid: string, limit: number) {
  return db
    .selectFrom('orders')
    .select(['order_id', 'amount_fen', 'status', 'paid_at', 'refunded_at', 'coupon_id'])
    .where('external_userid', '=', externalUserid)
    .orderBy('paid_at', 'desc')
    .limit(limit)
    .execute();
}
