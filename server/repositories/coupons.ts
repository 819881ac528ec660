import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { UpsertCounts } from './orders.js';

export interface CouponRecord {
  couponId: string;
  externalUserid: string;
  name: string;
  valueFen: number;
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** One multi-row upsert; the sent record is the truth, rewritten only when something changed. */
export async function upsertCoupons(db: Db, coupons: readonly CouponRecord[]): Promise<UpsertCounts> {
  if (coupons.length === 0) return { inserted: 0, updated: 0, written: new Map() };
  const rows = await db
    .insertInto('coupons')
    .values(
      coupons.map((c) => ({
        coupon_id: c.couponId,
        external_userid: c.externalUserid,
        name: c.name,
        value_fen: c.valueFen,
        issued_at: c.issuedAt,
        expires_at: c.expiresAt,
        used_at: c.usedAt,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('coupon_id')
        .doUpdateSet({
          name: (eb) => eb.ref('excluded.name'),
          value_fen: (eb) => eb.ref('excluded.value_fen'),
          issued_at: (eb) => eb.ref('excluded.issued_at'),
          expires_at: (eb) => eb.ref('excluded.expires_at'),
          used_at: (eb) => eb.ref('excluded.used_at'),
          updated_at: sql`now()`,
        })
        .where(
          sql<boolean>`(coupons.name, coupons.value_fen, coupons.issued_at, coupons.expires_at, coupons.used_at)
            IS DISTINCT FROM
            (excluded.name, excluded.value_fen, excluded.issued_at, excluded.expires_at, excluded.used_at)`,
        ),
    )
    .returning(['coupon_id', 'external_userid', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
  const inserted = rows.filter((r) => r.inserted).length;
  return {
    inserted,
    updated: rows.length - inserted,
    written: new Map(rows.map((r) => [r.coupon_id, r.external_userid])),
  };
}

/** Unused coupons of a customer that have not expired at `now`, soonest expiry first. */
export function listOpenCoupons(db: Db, externalUserid: string, now: Date) {
  return db
    .selectFrom('coupons')
    .select(['coupon_id', 'name', 'value_fen', 'issued_at', 'expires_at'])
    .where('external_userid', '=', externalUserid)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('expires_at')
    .execute();
}
