import { type RawBuilder, sql } from 'kysely';
import type { DataQualityFlag, DataQualityRules } from '../../shared/data-quality.js';
import type { Db } from '../db/database.js';

/*
 * Data-quality flags (services/analytics/definitions.ts → dataQuality). Detection is one
 * set-based statement per flag: the rows where the condition holds are raised (or re-opened when
 * the system had closed them), open flags whose condition no longer holds are closed by `system`,
 * and flags a supervisor cleared stay cleared for that occurrence (detection_key).
 */

/**
 * The one definition of "not flagged": no open flag on the customer named by `externalUserid`
 * (an SQL column reference). SOP audiences and every report's `excludeFlagged` use it.
 */
export function unflagged(externalUserid: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`NOT EXISTS (SELECT 1 FROM customer_flags cf_open
    WHERE cf_open.external_userid = ${externalUserid} AND cf_open.cleared_at IS NULL)`;
}

/** `unflagged` when `exclude` is set, else true. */
export function flaggedFilter(exclude: boolean, externalUserid: RawBuilder<unknown>): RawBuilder<boolean> {
  return exclude ? unflagged(externalUserid) : sql<boolean>`true`;
}

/** The rows a flag's condition holds for: external_userid, detection_key, detail (jsonb). */
function hits(flag: DataQualityFlag, rules: DataQualityRules, now: Date): RawBuilder<unknown> {
  switch (flag) {
    case 'no_interaction': {
      const since = new Date(now.getTime() - rules.no_interaction.days * 86_400_000);
      return sql`
        SELECT f.external_userid, ''::text AS detection_key,
          jsonb_build_object('firstAddedAt', f.first_added, 'days', ${rules.no_interaction.days}::int) AS detail
        FROM (SELECT external_userid, min(added_at) AS first_added FROM follow_relations GROUP BY 1) f
        WHERE f.first_added <= ${since}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM behavior_events e
            WHERE e.external_userid = f.external_userid AND e.occurred_at >= f.first_added)
          AND NOT EXISTS (SELECT 1 FROM orders o
            WHERE o.external_userid = f.external_userid AND o.paid_at >= f.first_added)
          AND NOT EXISTS (SELECT 1 FROM coupons c
            WHERE c.external_userid = f.external_userid AND c.used_at >= f.first_added)`;
    }
    case 'coupon_only':
      return sql`
        SELECT o.external_userid, ''::text AS detection_key,
          jsonb_build_object('reason', 'every_order_with_coupon', 'orders', count(*)) AS detail
        FROM orders o WHERE o.status = 'paid'
        GROUP BY o.external_userid
        HAVING bool_and(o.coupon_id IS NOT NULL)
        UNION ALL
        SELECT c.external_userid, ''::text,
          jsonb_build_object('reason', 'coupons_never_used', 'coupons', count(*))
        FROM coupons c
        WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_userid = c.external_userid AND o.status = 'paid')
        GROUP BY c.external_userid
        HAVING bool_and(c.used_at IS NULL AND c.expires_at <= ${now}::timestamptz)`;
    case 'quick_delete':
      return sql`
        SELECT fr.external_userid,
          fr.userid || '@' || floor(extract(epoch FROM fr.added_at))::bigint AS detection_key,
          jsonb_build_object('userid', fr.userid, 'addedAt', fr.added_at, 'deletedAt', fr.deleted_at,
            'hours', ${rules.quick_delete.hours}::double precision) AS detail
        FROM follow_relations fr
        WHERE fr.status = 'deleted_by_customer' AND fr.deleted_at IS NOT NULL
          AND fr.deleted_at < fr.added_at + make_interval(secs => ${rules.quick_delete.hours * 3600}::double precision)`;
    case 'shared_unionid':
      return sql`
        SELECT cu.external_userid, cu.unionid AS detection_key,
          jsonb_build_object('unionid', cu.unionid, 'others',
            (SELECT jsonb_agg(c2.external_userid ORDER BY c2.external_userid) FROM customers c2
              WHERE c2.unionid = cu.unionid AND c2.external_userid <> cu.external_userid)) AS detail
        FROM customers cu
        JOIN (SELECT unionid FROM customers WHERE unionid IS NOT NULL AND unionid <> ''
              GROUP BY unionid HAVING count(*) > 1) d ON d.unionid = cu.unionid`;
  }
}

/** Runs one flag's detection: `{ raised, resolved }`. */
export async function detectFlag(
  db: Db,
  flag: DataQualityFlag,
  rules: DataQualityRules,
  now: Date,
): Promise<{ raised: number; resolved: number }> {
  const { rows } = await sql<{ raised: number; resolved: number }>`
    WITH hits AS (${hits(flag, rules, now)}),
    raised AS (
      INSERT INTO customer_flags (external_userid, flag, detection_key, detail, detected_at)
      SELECT h.external_userid, ${flag}::text, h.detection_key, h.detail, ${now}::timestamptz
      FROM hits h JOIN customers cu ON cu.external_userid = h.external_userid
      ON CONFLICT (external_userid, flag, detection_key) DO UPDATE
        SET cleared_at = NULL, cleared_by = NULL, detected_at = EXCLUDED.detected_at, detail = EXCLUDED.detail
        WHERE customer_flags.cleared_by = 'system'
      RETURNING 1
    ),
    resolved AS (
      UPDATE customer_flags cf SET cleared_at = ${now}::timestamptz, cleared_by = 'system'
      WHERE cf.flag = ${flag}::text AND cf.cleared_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM hits h
          WHERE h.external_userid = cf.external_userid AND h.detection_key = cf.detection_key)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM raised)::int AS raised, (SELECT count(*) FROM resolved)::int AS resolved`.execute(
    db,
  );
  return rows[0] ?? { raised: 0, resolved: 0 };
}

export async function countOpenFlags(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('customer_flags')
    .select((eb) => ['flag', eb.fn.countAll<number>().as('n')])
    .where('cleared_at', 'is', null)
    .groupBy('flag')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.flag, Number(r.n)]));
}

export interface FlagRow {
  id: number;
  external_userid: string;
  customer_name: string;
  flag: string;
  detail: Record<string, unknown>;
  detected_at: Date;
  cleared_at: Date | null;
  cleared_by: string | null;
  staff: string[] | null;
}

function flagQuery(db: Db) {
  return db
    .selectFrom('customer_flags as f')
    .innerJoin('customers as cu', 'cu.external_userid', 'f.external_userid')
    .select([
      'f.id',
      'f.external_userid',
      'cu.name as customer_name',
      'f.flag',
      'f.detail',
      'f.detected_at',
      'f.cleared_at',
      'f.cleared_by',
      sql<string[] | null>`(SELECT array_agg(fr.userid ORDER BY fr.userid) FROM follow_relations fr
        WHERE fr.external_userid = f.external_userid AND fr.status IN ('active', 'half'))`.as('staff'),
    ]);
}

export async function listFlags(
  db: Db,
  f: {
    flag?: string | undefined;
    status: 'open' | 'cleared' | 'all';
    before?: number | undefined;
    limit: number;
  },
): Promise<FlagRow[]> {
  let q = flagQuery(db);
  if (f.flag) q = q.where('f.flag', '=', f.flag);
  if (f.status === 'open') q = q.where('f.cleared_at', 'is', null);
  if (f.status === 'cleared') q = q.where('f.cleared_at', 'is not', null);
  if (f.before) q = q.where('f.id', '<', f.before);
  return (await q.orderBy('f.id', 'desc').limit(f.limit).execute()) as FlagRow[];
}

export async function findFlag(db: Db, id: number): Promise<FlagRow | undefined> {
  return (await flagQuery(db).where('f.id', '=', id).executeTakeFirst()) as FlagRow | undefined;
}

/** Clears an open flag; answers whether it changed. */
export async function clearFlag(db: Db, id: number, by: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('customer_flags')
    .set({ cleared_at: now, cleared_by: by })
    .where('id', '=', id)
    .where('cleared_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
