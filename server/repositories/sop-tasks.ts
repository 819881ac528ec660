import { type RawBuilder, sql } from 'kysely';
import type { Audience, DeliveryMode, ScanResult, Variant } from '../../shared/sop.js';
import type { Db } from '../db/database.js';
import { renderSql } from '../services/sop/templates.js';
import { variantSql } from '../services/sop/variants.js';
import { unflagged } from './customer-flags.js';

export interface TaskCreation {
  rule: {
    id: number;
    name: string;
    audience: Audience;
    variants: readonly Variant[];
    deliveryMode: DeliveryMode;
    cooldownDays: number;
  };
  /** the trigger's candidate relation (see services/sop/triggers/index.ts) */
  candidates: RawBuilder<unknown>;
  /** the trigger's message details for a row `r` being created: a LATERAL subquery, or none */
  details?: RawBuilder<unknown> | undefined;
  /**
   * set for a scan over the trigger's own frontier: this rule's tasks created since then are read
   * in one range and the candidates they answered dropped before any per-candidate lookup
   */
  answeredSince?: Date | undefined;
  now: Date;
  dueAt: Date;
  cap: { maxMessages: number; since: Date };
}

export interface TaskCreationResult extends ScanResult {
  /** salespeople who got new tasks */
  staff: string[];
}

/** Audience filters over the candidate (`cand`), `cu` (customer) and `own` (owning relation). */
function audienceFilter(a: Audience, cand: RawBuilder<unknown>): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [];
  if (a.requiredTagIds.length) {
    parts.push(sql`NOT EXISTS (
      SELECT 1 FROM unnest(${a.requiredTagIds}::text[]) req(tag_id)
      WHERE NOT EXISTS (SELECT 1 FROM customer_tags ct
        WHERE ct.external_userid = ${cand}.external_userid AND ct.tag_id = req.tag_id))`);
  }
  if (a.excludedTagIds.length) {
    parts.push(sql`NOT EXISTS (SELECT 1 FROM customer_tags ct
      WHERE ct.external_userid = ${cand}.external_userid AND ct.tag_id = ANY(${a.excludedTagIds}::text[]))`);
  }
  const staff: RawBuilder<unknown>[] = [];
  if (a.staffUserids.length) staff.push(sql`own.userid = ANY(${a.staffUserids}::text[])`);
  if (a.departmentIds.length)
    staff.push(sql`EXISTS (SELECT 1 FROM staff st
      WHERE st.userid = own.userid AND st.department_ids && ${a.departmentIds}::int[])`);
  if (staff.length) parts.push(sql`(${sql.join(staff, sql` OR `)})`);
  if (a.lifecycleStages.length) parts.push(sql`cu.lifecycle_stage = ANY(${a.lifecycleStages}::text[])`);
  if (a.channelStates.length) {
    parts.push(
      sql`(own.state = ANY(${a.channelStates}::text[]) OR cu.channel_state = ANY(${a.channelStates}::text[]))`,
    );
  }
  // customers with an open data-quality flag are left out unless the rule opts in
  if (!a.includeFlagged) parts.push(unflagged(sql`${cand}.external_userid`));
  return parts.length ? sql<boolean>`${sql.join(parts, sql` AND `)}` : sql<boolean>`true`;
}

/**
 * Selects a rule's candidates and creates their tasks in ONE statement: audience, owner, cooldown,
 * the per-customer cap, variant, rendered message, the tasks (each is its own `sop_task_created`
 * timeline entry, see repositories/timeline.ts), and the skips the cap caused with their timeline
 * entries. Nothing is shipped to JavaScript but the counts. Run it inside a
 * transaction holding the cap lock (services/sop/pressure.ts explains why).
 *
 * - owner: the customer's most recent active follow relation; no active relation → no task
 * - skipped (not counted as capped): a task of this rule already exists for this window, or one
 *   was created within the rule's cooldown
 * - capped: the customer's tasks (pending, sent or done) created since `cap.since`, plus this
 *   statement's earlier tasks for them, already reach `cap.maxMessages`
 */
export async function createTasks(db: Db, c: TaskCreation): Promise<TaskCreationResult> {
  const { rows } = await taskCreationStatement(c).execute(db);
  const row = rows[0]!;
  return {
    matched: row.matched,
    created: row.created,
    capped: row.capped,
    skipped: row.matched - row.created - row.capped,
    staff: row.staff ?? [],
  };
}

/**
 * The selection half of the statement, as CTEs:
 * - `cand` the trigger's candidates;
 * - `known` (full scans only) this rule's tasks created since `answeredSince`, read as one range of
 *   sop_tasks_rule_created_idx (which holds the columns needed), and `fresh` the
 *   candidates none of them answered (same window, or within the cooldown), by hash anti-joins: a
 *   periodic scan re-meets mostly what its previous runs answered, and drops it without a lookup
 *   per candidate;
 * - `seen` adds, from ONE look at the customer's tasks, whether this rule already answered the
 *   occasion (same window, or within the cooldown: answers older than `known`) and how many
 *   messages the cap counts — so a scan spends further lookups only on new occasions;
 * - `matched` the new ones in the audience with their owner (index lookups forced by LATERAL …
 *   LIMIT, so a poor row estimate never turns into hashing a whole table);
 * - `ranked` with variant and `nth`, the customer's message count if this task is created.
 */
function selectionCtes(c: TaskCreation) {
  const { rule, now } = c;
  const cooldownSince = new Date(now.getTime() - rule.cooldownDays * 86_400_000);
  const variant = variantSql(
    rule.id,
    sql`m.external_userid`,
    rule.variants.map((v) => v.weight),
  );
  const a = rule.audience;
  const needsCustomer = a.lifecycleStages.length > 0 || a.channelStates.length > 0;
  const fresh = c.answeredSince
    ? sql`
    known AS MATERIALIZED (
      SELECT t.external_userid, t.window_key, t.created_at > ${cooldownSince}::timestamptz AS cooling
      FROM sop_tasks t
      WHERE t.created_at > ${c.answeredSince}::timestamptz AND t.created_at <= ${now}::timestamptz
        AND t.rule_id = ${rule.id}::bigint
    ),
    fresh AS (
      SELECT cand.* FROM cand
      WHERE NOT EXISTS (SELECT 1 FROM known k
        WHERE k.external_userid = cand.external_userid AND (k.window_key = cand.window_key OR k.cooling))
    ),`
    : sql`fresh AS (SELECT * FROM cand),`;
  return sql`
    cand AS (${c.candidates}),
    ${fresh}
    seen AS (
      SELECT cand.*, h.answered, h.recent FROM fresh cand
      CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(t.rule_id = ${rule.id}::bigint
            AND (t.window_key = cand.window_key OR t.created_at > ${cooldownSince}::timestamptz)), false) AS answered,
          count(*) FILTER (WHERE t.created_at > ${c.cap.since}::timestamptz
            AND t.status IN ('pending', 'sent', 'done')) AS recent
        FROM sop_tasks t WHERE t.external_userid = cand.external_userid
      ) h
    ),
    matched AS (
      SELECT s.*, own.userid, own.remark
      FROM seen s
      ${
        needsCustomer
          ? sql`JOIN LATERAL (SELECT lifecycle_stage, channel_state FROM customers
              WHERE external_userid = s.external_userid LIMIT 1) cu ON true`
          : sql``
      }
      JOIN LATERAL (
        SELECT fr.userid, fr.state, fr.remark FROM follow_relations fr
        WHERE fr.external_userid = s.external_userid AND fr.status = 'active'
        ORDER BY fr.added_at DESC, fr.userid LIMIT 1
      ) own ON true
      WHERE NOT s.answered AND ${audienceFilter(a, sql`s`)}
    ),
    ranked AS (
      SELECT m.*, ${variant} AS variant,
        row_number() OVER (PARTITION BY m.external_userid COLLATE "C" ORDER BY m.window_key COLLATE "C")
          + m.recent AS nth
      FROM matched m
    )`;
}

/** matched = new occasions in the audience + occasions already answered (skipped). */
const MATCHED = sql`((SELECT count(*) FROM matched) + (SELECT count(*) FROM seen WHERE answered)
  + (SELECT count(*) FROM cand) - (SELECT count(*) FROM fresh))::int`;

/** Only the selection (for EXPLAIN in bench/scenarios/sop.ts): matched and creatable counts. */
export function taskSelectionStatement(c: TaskCreation) {
  return sql<{ matched: number; creatable: number }>`
    WITH ${selectionCtes(c)}
    SELECT ${MATCHED} AS matched,
      (SELECT count(*) FROM ranked WHERE nth <= ${c.cap.maxMessages}::int)::int AS creatable`;
}

/** The statement createTasks runs. */
export function taskCreationStatement(c: TaskCreation) {
  const { rule, now } = c;
  const template = sql`(${rule.variants.map((v) => v.template)}::text[])[r.variant + 1]`;
  const message = renderSql(template, {
    customerName: sql`coalesce(nullif(r.remark, ''), cu.name)`,
    staffName: sql`coalesce(nullif(st.name, ''), r.userid)`,
    couponName: sql`d.coupon_name`,
    couponExpiresAt: sql`d.coupon_expires_at`,
    couponValueFen: sql`d.coupon_value_fen`,
  });
  const details =
    c.details ??
    sql`(SELECT NULL::text AS coupon_name, NULL::timestamptz AS coupon_expires_at, NULL::bigint AS coupon_value_fen)`;
  return sql<{ matched: number; created: number; capped: number; staff: string[] | null }>`
    WITH ${selectionCtes(c)},
    inserted AS (
      INSERT INTO sop_tasks (rule_id, external_userid, userid, window_key, variant, message, status,
        due_at, created_at, delivery_mode, reason)
      SELECT ${rule.id}::bigint, r.external_userid, r.userid, r.window_key, r.variant, ${message}, 'pending',
        ${c.dueAt}::timestamptz, ${now}::timestamptz, ${rule.deliveryMode}::text, r.reason
      FROM ranked r
      JOIN LATERAL (SELECT name FROM customers WHERE external_userid = r.external_userid LIMIT 1) cu ON true
      LEFT JOIN staff st ON st.userid = r.userid
      LEFT JOIN LATERAL ${details} d ON true
      WHERE r.nth <= ${c.cap.maxMessages}::int
      -- in the order of the customer-keyed indexes, so neighbouring index entries share a page
      -- (byte order: the database's collation may compare far slower, and only grouping matters)
      ORDER BY r.external_userid COLLATE "C", r.window_key COLLATE "C"
      ON CONFLICT (rule_id, external_userid, window_key) DO NOTHING
      RETURNING userid
    ),
    capped AS (
      INSERT INTO sop_skips (rule_id, external_userid, window_key, reason, created_at, variant, userid)
      SELECT ${rule.id}::bigint, r.external_userid, r.window_key, 'frequency_cap', ${now}::timestamptz, r.variant, r.userid
      FROM ranked r WHERE r.nth > ${c.cap.maxMessages}::int
      ON CONFLICT (rule_id, external_userid, window_key) DO NOTHING
      RETURNING external_userid, window_key, userid
    ),
    logged_skips AS (
      INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT external_userid, 'sop_task_skipped', 'system', ${now}::timestamptz,
        jsonb_build_object('ruleId', ${rule.id}::bigint, 'ruleName', ${rule.name}::text, 'userid', userid,
          'reason', 'frequency_cap', 'windowKey', window_key),
        'sop_task_skipped:' || ${rule.id}::bigint || ':' || external_userid || ':' || window_key
      FROM capped
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT
      ${MATCHED} AS matched,
      (SELECT count(*) FROM inserted)::int AS created,
      (SELECT count(*) FROM ranked WHERE nth > ${c.cap.maxMessages}::int)::int AS capped,
      -- hashed, not sorted: a bulk scan returns a row per task
      (SELECT array_agg(userid) FROM (SELECT DISTINCT userid FROM inserted) u) AS staff`;
}

// ---- reading and completing tasks -----------------------------------------------------------------

/**
 * `t` created in [from, to), for reports: one range of sop_tasks_rule_created_idx per rule (a
 * handful), so that creating tasks maintains no index on created_at alone (migration 0011).
 */
export function tasksCreatedBetween(t: string, from: unknown, to: unknown): RawBuilder<boolean> {
  const ref = (column: string) => sql.ref(`${t}.${column}`);
  return sql<boolean>`${ref('rule_id')} = ANY(ARRAY(SELECT id FROM sop_rules))
    AND ${ref('created_at')} >= ${from}::timestamptz AND ${ref('created_at')} < ${to}::timestamptz`;
}

export interface TaskFilter {
  userid?: string;
  externalUserid?: string;
  statuses: readonly string[];
  /** pending past due */
  overdueAt?: Date;
  before?: number;
  limit: number;
}

function taskQuery(db: Db) {
  return db
    .selectFrom('sop_tasks as t')
    .innerJoin('sop_rules as r', 'r.id', 't.rule_id')
    .innerJoin('customers as cu', 'cu.external_userid', 't.external_userid')
    .leftJoin('staff as st', 'st.userid', 't.userid')
    .selectAll('t')
    .select(['r.name as rule_name', 'r.trigger', 'cu.name as customer_name', 'st.name as staff_name']);
}

export type TaskView = Awaited<ReturnType<ReturnType<typeof taskQuery>['executeTakeFirstOrThrow']>>;

export function findTaskView(db: Db, id: number): Promise<TaskView | undefined> {
  return taskQuery(db).where('t.id', '=', id).executeTakeFirst();
}

/** Newest first, keyset-paged on id; served by sop_tasks_staff_status_idx / sop_tasks_customer_idx. */
export function listTaskViews(db: Db, f: TaskFilter): Promise<TaskView[]> {
  let q = taskQuery(db);
  if (f.userid) q = q.where('t.userid', '=', f.userid);
  if (f.externalUserid) q = q.where('t.external_userid', '=', f.externalUserid);
  if (f.before) q = q.where('t.id', '<', f.before);
  if (f.statuses.length || f.overdueAt) {
    q = q.where((eb) => {
      const ors = [];
      if (f.statuses.length) ors.push(eb('t.status', 'in', [...f.statuses] as never[]));
      if (f.overdueAt) ors.push(eb.and([eb('t.status', '=', 'pending'), eb('t.due_at', '<', f.overdueAt)]));
      return eb.or(ors);
    });
  }
  return q.orderBy('t.id', 'desc').limit(f.limit).execute();
}

/** pending → sent, with its timeline entry. Answers the task when it changed, undefined otherwise. */
export async function markTaskSent(db: Db, id: number, actor: string, now: Date) {
  const task = await db
    .updateTable('sop_tasks')
    .set({ status: 'sent', sent_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (task) {
    await sql`
      INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT t.external_userid, 'sop_message_sent', ${actor}::text, ${now}::timestamptz,
        jsonb_build_object('taskId', t.id, 'ruleId', t.rule_id, 'ruleName', r.name, 'userid', t.userid,
          'variant', t.variant, 'message', t.message, 'deliveryMode', t.delivery_mode),
        'sop_message_sent:' || t.id
      FROM sop_tasks t JOIN sop_rules r ON r.id = t.rule_id WHERE t.id = ${id}::bigint
      ON CONFLICT (dedupe_key) DO NOTHING`.execute(db);
  }
  return task;
}

/** pending → skipped with the staff member's reason, on the timeline. */
export async function skipTask(db: Db, id: number, actor: string, reason: string, now: Date) {
  const task = await db
    .updateTable('sop_tasks')
    .set({ status: 'skipped', skipped_reason: reason, done_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (task) {
    await sql`
      INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT t.external_userid, 'sop_task_skipped', ${actor}::text, ${now}::timestamptz,
        jsonb_build_object('taskId', t.id, 'ruleId', t.rule_id, 'ruleName', r.name, 'userid', t.userid,
          'reason', ${reason}::text),
        'sop_task_skipped:task:' || t.id
      FROM sop_tasks t JOIN sop_rules r ON r.id = t.rule_id WHERE t.id = ${id}::bigint
      ON CONFLICT (dedupe_key) DO NOTHING`.execute(db);
  }
  return task;
}
