import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/*
 * Delivery bookkeeping on sop_tasks: reminder digests for staff_task, and the claim → call →
 * record cycle of mass sends. Every update names the state it expects, so a retried job or a
 * second worker changes nothing twice.
 */

// ---- staff tasks ------------------------------------------------------------------------------

/**
 * Pending tasks whose salesperson lost the customer (relation ended since `since`) go to the
 * customer's most recent remaining active salesperson, announced afresh; with none left they
 * expire. Dispatched mass sends stay where they are.
 */
export async function reassignLostTasks(db: Db, since: Date) {
  const { rows } = await sql<{ id: number; userid: string; status: string }>`
    WITH lost AS (
      SELECT t.id, t.external_userid FROM follow_relations fr
      JOIN sop_tasks t ON t.external_userid = fr.external_userid AND t.userid = fr.userid
      WHERE fr.deleted_at > ${since}::timestamptz AND fr.status <> 'active'
        AND t.status = 'pending' AND t.mass_msgid IS NULL AND t.dispatch_token IS NULL
    ),
    target AS (
      SELECT l.id, (SELECT fr.userid FROM follow_relations fr
        WHERE fr.external_userid = l.external_userid AND fr.status = 'active'
        ORDER BY fr.added_at DESC, fr.userid LIMIT 1) AS owner
      FROM lost l
    )
    UPDATE sop_tasks t SET
      userid = coalesce(g.owner, t.userid),
      status = CASE WHEN g.owner IS NULL THEN 'expired' ELSE 'pending' END,
      failure_reason = CASE WHEN g.owner IS NULL THEN 'relation_lost' ELSE t.failure_reason END,
      notified_at = NULL,
      overdue_reminded_at = NULL
    FROM target g WHERE t.id = g.id
    RETURNING t.id, t.userid, t.status`.execute(db);
  return rows;
}

/**
 * Expires what can no longer be useful: staff tasks left unsent long after their due time, and
 * coupon reminders whose coupon was used or has expired.
 */
export async function expireStaleTasks(db: Db, now: Date, unsentBefore: Date): Promise<number> {
  const stale = await sql`
    UPDATE sop_tasks SET status = 'expired', failure_reason = 'unsent'
    WHERE status = 'pending' AND due_at < ${unsentBefore}::timestamptz
      AND delivery_mode = 'staff_task'`.execute(db);
  const coupons = await sql`
    UPDATE sop_tasks t SET status = 'expired',
      failure_reason = CASE WHEN cp.used_at IS NOT NULL THEN 'coupon_used' ELSE 'coupon_expired' END
    FROM coupons cp
    WHERE t.status = 'pending' AND t.reason = 'coupon_expiring' AND t.mass_msgid IS NULL
      AND t.dispatch_token IS NULL AND t.due_at > ${unsentBefore}::timestamptz
      AND cp.coupon_id = t.window_key AND (cp.used_at IS NOT NULL OR cp.expires_at <= ${now}::timestamptz)`.execute(
    db,
  );
  return Number(stale.numAffectedRows ?? 0) + Number(coupons.numAffectedRows ?? 0);
}

/** Salespeople with staff tasks not yet announced, or past due and not yet reminded. */
export async function staffAwaitingDigest(db: Db, now: Date): Promise<string[]> {
  const { rows } = await sql<{ userid: string }>`
    SELECT userid FROM sop_tasks
    WHERE status = 'pending' AND notified_at IS NULL AND delivery_mode = 'staff_task'
    UNION
    SELECT userid FROM sop_tasks
    WHERE status = 'pending' AND due_at < ${now}::timestamptz AND overdue_reminded_at IS NULL
      AND delivery_mode = 'staff_task'
    ORDER BY userid`.execute(db);
  return rows.map((r) => r.userid);
}

/**
 * Takes the salesperson's hourly digest slot: answers the previous slot time (null for the first
 * digest ever) when taken, undefined when the last digest is less than `interval` old. One
 * statement, so two workers racing — even for a first digest — cannot both take it.
 */
export async function claimDigestSlot(db: Db, userid: string, now: Date, intervalMs: number) {
  const { rows } = await sql<{ previous: Date | null }>`
    WITH prev AS (SELECT last_digest_at FROM sop_staff_digests WHERE userid = ${userid})
    INSERT INTO sop_staff_digests (userid, last_digest_at) VALUES (${userid}, ${now}::timestamptz)
    ON CONFLICT (userid) DO UPDATE SET last_digest_at = EXCLUDED.last_digest_at
      WHERE sop_staff_digests.last_digest_at <= ${new Date(now.getTime() - intervalMs)}::timestamptz
    RETURNING (SELECT last_digest_at FROM prev) AS previous`.execute(db);
  return rows.length ? (rows[0]!.previous ?? null) : undefined;
}

export async function restoreDigestSlot(db: Db, userid: string, previous: Date | null): Promise<void> {
  if (previous)
    await db
      .updateTable('sop_staff_digests')
      .set({ last_digest_at: previous })
      .where('userid', '=', userid)
      .execute();
  else await db.deleteFrom('sop_staff_digests').where('userid', '=', userid).execute();
}

export interface DigestTask {
  id: number;
  due_at: Date;
  customer_name: string;
  rule_name: string;
  fresh: boolean;
  overdue: boolean;
}

/** Marks what the digest announces (new) and reminds of (overdue), answering those tasks. */
export async function claimDigestTasks(db: Db, userid: string, now: Date): Promise<DigestTask[]> {
  const { rows } = await sql<DigestTask>`
    UPDATE sop_tasks t SET
      notified_at = coalesce(t.notified_at, ${now}::timestamptz),
      overdue_reminded_at = CASE WHEN t.due_at < ${now}::timestamptz THEN ${now}::timestamptz
        ELSE t.overdue_reminded_at END
    FROM customers cu, sop_rules r
    WHERE t.userid = ${userid} AND t.status = 'pending' AND t.delivery_mode = 'staff_task'
      AND (t.notified_at IS NULL OR (t.due_at < ${now}::timestamptz AND t.overdue_reminded_at IS NULL))
      AND cu.external_userid = t.external_userid AND r.id = t.rule_id
    RETURNING t.id, t.due_at, cu.name AS customer_name, r.name AS rule_name,
      t.notified_at = ${now}::timestamptz AS fresh, t.due_at < ${now}::timestamptz AS overdue`.execute(db);
  return rows;
}

/** Undoes claimDigestTasks when the digest could not be sent. */
export async function releaseDigestTasks(db: Db, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE sop_tasks SET
      notified_at = CASE WHEN notified_at = ${now}::timestamptz THEN NULL ELSE notified_at END,
      overdue_reminded_at = CASE WHEN overdue_reminded_at = ${now}::timestamptz THEN NULL ELSE overdue_reminded_at END
    WHERE id = ANY(${ids}::bigint[])`.execute(db);
}

export function openTasksOf(db: Db, userid: string, limit: number) {
  return db
    .selectFrom('sop_tasks as t')
    .innerJoin('customers as cu', 'cu.external_userid', 't.external_userid')
    .innerJoin('sop_rules as r', 'r.id', 't.rule_id')
    .select(['t.id', 't.due_at', 'cu.name as customer_name', 'r.name as rule_name'])
    .where('t.userid', '=', userid)
    .where('t.status', '=', 'pending')
    .where('t.delivery_mode', '=', 'staff_task')
    .orderBy('t.due_at')
    .limit(limit)
    .execute();
}

export async function countOpenTasks(db: Db, userid: string, now: Date) {
  const { rows } = await sql<{ open: number; overdue: number }>`
    SELECT count(*)::int AS open, count(*) FILTER (WHERE due_at < ${now}::timestamptz)::int AS overdue
    FROM sop_tasks WHERE userid = ${userid} AND status = 'pending' AND delivery_mode = 'staff_task'`.execute(
    db,
  );
  return rows[0] ?? { open: 0, overdue: 0 };
}

// ---- mass sends -------------------------------------------------------------------------------

const WAITING_MASS = sql`delivery_mode = 'mass_send' AND status = 'pending' AND mass_msgid IS NULL`;

/**
 * Claims older than the lease whose msgid was never recorded: the worker died (or lost the answer)
 * between claiming and recording, so WeCom may or may not hold the message. Resending could
 * message a customer twice; they fail visibly instead (at most once).
 */
export async function failInterruptedDispatches(db: Db, leaseSince: Date): Promise<number> {
  const result = await sql`
    UPDATE sop_tasks SET status = 'failed', failure_reason = 'dispatch_interrupted'
    WHERE ${WAITING_MASS} AND dispatch_token IS NOT NULL
      AND dispatch_claimed_at < ${leaseSince}::timestamptz`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface MassBatch {
  userid: string;
  rule_id: number;
  variant: number;
  message: string;
}

/** Undispatched mass-send tasks grouped by what one add_msg_template call can carry. */
export async function massBatches(db: Db, limit: number): Promise<MassBatch[]> {
  const { rows } = await sql<MassBatch>`
    SELECT userid, rule_id, variant, message FROM sop_tasks
    WHERE ${WAITING_MASS} AND dispatch_token IS NULL
    GROUP BY userid, rule_id, variant, message
    ORDER BY min(id) LIMIT ${limit}`.execute(db);
  return rows;
}

/** Marks up to `max` tasks of a batch with a dispatch token; rows another worker holds are skipped. */
export async function claimMassBatch(db: Db, b: MassBatch, token: string, now: Date, max: number) {
  const { rows } = await sql<{ id: number; external_userid: string }>`
    UPDATE sop_tasks SET dispatch_token = ${token}, dispatch_claimed_at = ${now}::timestamptz
    WHERE id IN (
      SELECT id FROM sop_tasks
      WHERE ${WAITING_MASS} AND dispatch_token IS NULL AND userid = ${b.userid}
        AND rule_id = ${b.rule_id}::bigint AND variant = ${b.variant}::smallint AND message = ${b.message}
      ORDER BY id LIMIT ${max} FOR UPDATE SKIP LOCKED)
    RETURNING id, external_userid`.execute(db);
  return rows;
}

/** WeCom certainly did not take the message: the tasks wait for the next dispatch. */
export async function releaseMassClaim(db: Db, token: string): Promise<void> {
  await sql`UPDATE sop_tasks SET dispatch_token = NULL, dispatch_claimed_at = NULL
    WHERE dispatch_token = ${token} AND mass_msgid IS NULL`.execute(db);
}

export async function failMassClaim(db: Db, token: string, reason: string): Promise<void> {
  await sql`UPDATE sop_tasks SET status = 'failed', failure_reason = ${reason}
    WHERE dispatch_token = ${token} AND mass_msgid IS NULL AND status = 'pending'`.execute(db);
}

/** Records WeCom's msgid on the claimed tasks; recipients WeCom refused fail at once. */
export async function recordMassMsgid(db: Db, token: string, msgid: string, refused: readonly string[]) {
  await sql`
    UPDATE sop_tasks SET mass_msgid = ${msgid},
      status = CASE WHEN external_userid = ANY(${refused}::text[]) THEN 'failed' ELSE status END,
      failure_reason = CASE WHEN external_userid = ANY(${refused}::text[]) THEN 'refused_by_wecom' ELSE failure_reason END
    WHERE dispatch_token = ${token} AND mass_msgid IS NULL`.execute(db);
}

export interface MassPoll {
  mass_msgid: string;
  userid: string;
  due_at: Date;
  reminded: boolean;
}

/** Dispatched mass sends with recipients still pending, per msgid and sender. */
export async function massSendsToPoll(db: Db, limit: number): Promise<MassPoll[]> {
  const { rows } = await sql<MassPoll>`
    SELECT mass_msgid, userid, min(due_at) AS due_at, bool_or(overdue_reminded_at IS NOT NULL) AS reminded
    FROM sop_tasks WHERE mass_msgid IS NOT NULL AND status = 'pending'
    GROUP BY mass_msgid, userid ORDER BY min(id) LIMIT ${limit}`.execute(db);
  return rows;
}

export interface MassOutcome {
  externalUserid: string;
  status: 'sent' | 'failed' | 'expired';
  at: Date;
  reason: string | null;
}

/** Applies WeCom's per-recipient results; each newly sent one gets its sop_message_sent entry. */
export async function applyMassOutcomes(
  db: Db,
  msgid: string,
  userid: string,
  outcomes: readonly MassOutcome[],
) {
  if (outcomes.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`
    WITH o AS (
      SELECT * FROM unnest(${outcomes.map((x) => x.externalUserid)}::text[], ${outcomes.map((x) => x.status)}::text[],
        ${outcomes.map((x) => x.at.toISOString())}::timestamptz[], ${outcomes.map((x) => x.reason)}::text[])
        AS o(external_userid, status, at, reason)
    ),
    changed AS (
      UPDATE sop_tasks t SET status = o.status,
        sent_at = CASE WHEN o.status = 'sent' THEN o.at ELSE t.sent_at END,
        failure_reason = o.reason
      FROM o
      WHERE t.mass_msgid = ${msgid} AND t.userid = ${userid} AND t.status = 'pending'
        AND t.external_userid = o.external_userid
      RETURNING t.id, t.external_userid, t.rule_id, t.userid, t.variant, t.message, t.status, t.sent_at
    ),
    logged AS (
      INSERT INTO timeline (external_userid, kind, actor, occurred_at, data, dedupe_key)
      SELECT c.external_userid, 'sop_message_sent', c.userid, c.sent_at,
        jsonb_build_object('taskId', c.id, 'ruleId', c.rule_id, 'ruleName', r.name, 'userid', c.userid,
          'variant', c.variant, 'message', c.message, 'deliveryMode', 'mass_send', 'msgid', ${msgid}::text),
        'sop_message_sent:' || c.id
      FROM changed c JOIN sop_rules r ON r.id = c.rule_id
      WHERE c.status = 'sent'
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT count(*)::int AS n FROM changed`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function markMassReminded(db: Db, msgid: string, userid: string, now: Date): Promise<void> {
  await sql`UPDATE sop_tasks SET overdue_reminded_at = ${now}::timestamptz
    WHERE mass_msgid = ${msgid} AND userid = ${userid} AND status = 'pending'`.execute(db);
}
