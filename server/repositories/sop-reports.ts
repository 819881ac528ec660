import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { tasksCreatedBetween } from './sop-tasks.js';

/*
 * Report queries. Each figure is defined in services/sop/reports/definitions.ts; the comments
 * name the definition, not restate it. `from` and `toEnd` are instants (Shanghai day starts),
 * `toEnd` exclusive.
 */

const TZ = sql.lit('Asia/Shanghai');
const day = (col: string) => sql`to_char(${sql.ref(col)} AT TIME ZONE ${TZ}, 'YYYY-MM-DD')`;

export interface Range {
  from: Date;
  toEnd: Date;
}

export interface TaskDayRow {
  day: string;
  userid: string;
  name: string;
  assigned: number;
  sent: number;
  on_time: number;
  overdue: number;
  skipped: number;
}

/** REPORT_DEFINITIONS.tasks, per day and salesperson. */
export async function taskDays(db: Db, r: Range, now: Date): Promise<TaskDayRow[]> {
  const { rows } = await sql<TaskDayRow>`
    SELECT ${day('t.created_at')} AS day, t.userid, coalesce(nullif(st.name, ''), t.userid) AS name,
      count(*)::int AS assigned,
      count(*) FILTER (WHERE t.sent_at IS NOT NULL)::int AS sent,
      count(*) FILTER (WHERE t.sent_at <= t.due_at)::int AS on_time,
      count(*) FILTER (WHERE t.sent_at > t.due_at
        OR (t.sent_at IS NULL AND t.status IN ('pending', 'expired') AND t.due_at < ${now}::timestamptz))::int AS overdue,
      count(*) FILTER (WHERE t.status = 'skipped')::int AS skipped
    FROM sop_tasks t LEFT JOIN staff st ON st.userid = t.userid
    WHERE ${tasksCreatedBetween('t', r.from, r.toEnd)}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2`.execute(db);
  return rows;
}

export interface SopVariantRow {
  rule_id: number;
  rule_name: string;
  trigger: string;
  variant: number;
  created: number;
  capped: number;
  capped_only: number;
  sent: number;
  converted: number;
  revenue_fen: number;
}

/**
 * REPORT_DEFINITIONS.sop, per rule and variant. A rule with activity in the range lists every
 * variant it has now, those without tasks as zeros, so an A/B read never loses its empty arm.
 */
export async function sopVariants(db: Db, r: Range): Promise<SopVariantRow[]> {
  const { rows } = await sql<SopVariantRow>`
    WITH tasks AS (
      SELECT rule_id, variant, count(*)::int AS created,
        count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent,
        count(*) FILTER (WHERE sent_at IS NOT NULL AND converted_order_id IS NOT NULL)::int AS converted,
        coalesce(sum(revenue_fen) FILTER (WHERE sent_at IS NOT NULL AND converted_order_id IS NOT NULL), 0)::bigint AS revenue_fen
      FROM sop_tasks t
      WHERE ${tasksCreatedBetween('t', r.from, r.toEnd)}
      GROUP BY 1, 2
    ),
    skips AS (
      SELECT s.rule_id, s.variant, count(*)::int AS capped,
        count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM sop_tasks t
          WHERE t.rule_id = s.rule_id AND t.external_userid = s.external_userid AND t.window_key = s.window_key))::int AS capped_only
      FROM sop_skips s
      WHERE s.reason = 'frequency_cap'
        AND s.created_at >= ${r.from}::timestamptz AND s.created_at < ${r.toEnd}::timestamptz
      GROUP BY 1, 2
    ),
    active AS (SELECT rule_id, variant FROM tasks UNION SELECT rule_id, variant FROM skips),
    cells AS (
      SELECT rule_id, variant FROM active
      UNION
      SELECT r.id, v.variant FROM sop_rules r
        CROSS JOIN LATERAL generate_series(0, jsonb_array_length(r.variants) - 1) AS v(variant)
      WHERE r.id IN (SELECT rule_id FROM active)
    )
    SELECT r.id AS rule_id, r.name AS rule_name, r.trigger, c.variant::int AS variant,
      coalesce(t.created, 0) AS created, coalesce(s.capped, 0) AS capped, coalesce(s.capped_only, 0) AS capped_only,
      coalesce(t.sent, 0) AS sent, coalesce(t.converted, 0) AS converted, coalesce(t.revenue_fen, 0) AS revenue_fen
    FROM cells c
    JOIN sop_rules r ON r.id = c.rule_id
    LEFT JOIN tasks t ON t.rule_id = c.rule_id AND t.variant = c.variant
    LEFT JOIN skips s ON s.rule_id = c.rule_id AND s.variant = c.variant
    ORDER BY 1, 4`.execute(db);
  return rows;
}

export interface GrowthDayRow {
  day: string;
  userid: string;
  name: string;
  added: number;
  deleted_by_staff: number;
  deleted_by_customer: number;
}

/** REPORT_DEFINITIONS.growth added / deleted, per day and salesperson. */
export async function growthDays(db: Db, r: Range): Promise<GrowthDayRow[]> {
  const { rows } = await sql<GrowthDayRow>`
    SELECT x.day, x.userid, coalesce(nullif(st.name, ''), x.userid) AS name,
      sum(x.added)::int AS added, sum(x.by_staff)::int AS deleted_by_staff, sum(x.by_customer)::int AS deleted_by_customer
    FROM (
      SELECT ${day('added_at')} AS day, userid, 1 AS added, 0 AS by_staff, 0 AS by_customer
      FROM follow_relations
      WHERE added_at >= ${r.from}::timestamptz AND added_at < ${r.toEnd}::timestamptz
      UNION ALL
      SELECT ${day('deleted_at')}, userid, 0,
        (status = 'deleted_by_staff')::int, (status = 'deleted_by_customer')::int
      FROM follow_relations
      WHERE deleted_at >= ${r.from}::timestamptz AND deleted_at < ${r.toEnd}::timestamptz
        AND status IN ('deleted_by_staff', 'deleted_by_customer')
    ) x LEFT JOIN staff st ON st.userid = x.userid
    GROUP BY 1, 2, 3
    ORDER BY 1, 2`.execute(db);
  return rows;
}

export interface ChurnMonthRow {
  month: string;
  base: number;
  deleted_by_customer: number;
}

/** REPORT_DEFINITIONS.growth.churnRate for calendar months [start, end) given as instants. */
export async function churnMonths(
  db: Db,
  months: ReadonlyArray<{ month: string; start: Date; end: Date }>,
): Promise<ChurnMonthRow[]> {
  if (months.length === 0) return [];
  const { rows } = await sql<ChurnMonthRow>`
    SELECT m.month,
      (SELECT count(*) FROM follow_relations fr
        WHERE fr.added_at < m.start AND (fr.deleted_at IS NULL OR fr.deleted_at >= m.start))::int AS base,
      (SELECT count(*) FROM follow_relations fr
        WHERE fr.status = 'deleted_by_customer' AND fr.deleted_at >= m.start AND fr.deleted_at < m.end_at)::int
        AS deleted_by_customer
    FROM unnest(${months.map((m) => m.month)}::text[], ${months.map((m) => m.start.toISOString())}::timestamptz[],
      ${months.map((m) => m.end.toISOString())}::timestamptz[]) AS m(month, start, end_at)
    ORDER BY 1`.execute(db);
  return rows;
}

export interface ServiceDayRow {
  day: string;
  userid: string;
  name: string;
  chat_cnt: number;
  message_cnt: number;
  reply_percentage: number | null;
  avg_reply_time: number | null;
  negative_feedback_cnt: number;
}

/** REPORT_DEFINITIONS.growth service figures, as synced from WeCom. */
export async function serviceDays(db: Db, from: string, to: string): Promise<ServiceDayRow[]> {
  const { rows } = await sql<ServiceDayRow>`
    SELECT b.day::text AS day, b.userid, coalesce(nullif(st.name, ''), b.userid) AS name, b.chat_cnt, b.message_cnt,
      b.reply_percentage, b.avg_reply_time, b.negative_feedback_cnt
    FROM staff_behavior_daily b LEFT JOIN staff st ON st.userid = b.userid
    WHERE b.day >= ${from}::date AND b.day <= ${to}::date
    ORDER BY 1, 2`.execute(db);
  return rows;
}

/** Pending tasks past their due time, per salesperson (the daily report's 逾期). */
export async function overdueByStaff(db: Db, now: Date) {
  const { rows } = await sql<{ userid: string; name: string; overdue: number }>`
    SELECT t.userid, coalesce(nullif(st.name, ''), t.userid) AS name, count(*)::int AS overdue
    FROM sop_tasks t LEFT JOIN staff st ON st.userid = t.userid
    WHERE t.status = 'pending' AND t.due_at < ${now}::timestamptz
    GROUP BY 1, 2 ORDER BY 3 DESC, 1`.execute(db);
  return rows;
}

/** Conversions whose order was paid within [from, toEnd). */
export async function conversionsBetween(db: Db, r: Range) {
  const { rows } = await sql<{ converted: number; revenue_fen: number }>`
    SELECT count(*)::int AS converted, coalesce(sum(revenue_fen), 0)::bigint AS revenue_fen
    FROM sop_tasks WHERE converted_at >= ${r.from}::timestamptz AND converted_at < ${r.toEnd}::timestamptz`.execute(
    db,
  );
  return { converted: rows[0]?.converted ?? 0, revenueFen: Number(rows[0]?.revenue_fen ?? 0) };
}
