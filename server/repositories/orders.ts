import { sql } from 'kysely';
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

/**
 * One multi-row upsert. A re-sent order rewrites the row only when something changed (that is
 * what `updated` counts); its customer stays the one it was first reported for.
 */
export async function upsertOrders(db: Db, orders: readonly OrderRecord[]): Promise<OrderUpsert> {
  if (orders.length === 0) return { inserted: 0, updated: 0, written: new Map(), fresh: new Set() };
  // unnest: one array parameter per column instead of one parameter per value
  const rows = await db
    .insertInto('orders')
    .columns(['order_id', 'external_userid', 'amount_fen', 'status', 'paid_at', 'refunded_at', 'coupon_id'])
    .expression(
      sql`SELECT * FROM unnest(
        ${orders.map((o) => o.orderId)}::text[],
        ${orders.map((o) => o.externalUserid)}::text[],
        ${orders.map((o) => o.amountFen)}::bigint[],
        ${orders.map((o) => o.status)}::text[],
        ${orders.map((o) => o.paidAt.toISOString())}::timestamptz[],
        ${orders.map((o) => (o.status === 'refunded' ? (o.refundedAt?.toISOString() ?? null) : null))}::timestamptz[],
        ${orders.map((o) => o.couponId)}::text[])`,
    )
    .onConflict((oc) =>
      oc
        .column('order_id')
        .doUpdateSet({
          amount_fen: (eb) => eb.ref('excluded.amount_fen'),
          status: (eb) => eb.ref('excluded.status'),
          paid_at: (eb) => eb.ref('excluded.paid_at'),
          refunded_at: sql`CASE WHEN excluded.status = 'refunded'
            THEN coalesce(orders.refunded_at, excluded.refunded_at) END`,
          coupon_id: (eb) => eb.ref('excluded.coupon_id'),
          updated_at: sql`now()`,
        })
        .where(
          sql<boolean>`(orders.amount_fen, orders.status, orders.paid_at, orders.coupon_id)
            IS DISTINCT FROM (excluded.amount_fen, excluded.status, excluded.paid_at, excluded.coupon_id)`,
        ),
    )
    // xmax is 0 only on a freshly inserted row version
    .returning(['order_id', 'external_userid', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
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
