import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.js';

/*
 * Outcomes of sent tasks, set-based (definitions: services/sop/reports/definitions.ts):
 * conversion = the customer's first paid order within the rule's `conversionDays` after the
 * task was sent, credited to the last task sent before the order (one order converts one task);
 * response = the first behaviour event or order within 48 h of sending.
 */

export interface OutcomeScope {
  now: Date;
  /** only these customers (after an order ingest); absent = every task still in a window */
  customers?: readonly string[];
  /** sent since (the longest conversion window in use) */
  sentSince: Date;
}

const scopeFilter = (s: OutcomeScope, alias: RawBuilder<unknown>) =>
  s.customers ? sql`AND ${alias}.external_userid = ANY(${s.customers}::text[])` : sql``;

/** Attributes orders to sent tasks. Answers how many tasks converted now. */
export async function attributeConversions(db: Db, s: OutcomeScope): Promise<number> {
  const result = await sql`
    WITH sent AS (
      SELECT t.id, t.external_userid, t.sent_at, t.converted_order_id,
        t.sent_at + make_interval(days => coalesce((r.params->>'conversionDays')::int, 7)) AS window_end
      FROM sop_tasks t JOIN sop_rules r ON r.id = t.rule_id
      WHERE t.sent_at IS NOT NULL AND t.sent_at > ${s.sentSince}::timestamptz
        AND t.status IN ('sent', 'done') ${scopeFilter(s, sql`t`)}
    ),
    last_touch AS (
      -- each paid order → the last task sent before it (converted or not)
      SELECT DISTINCT ON (o.order_id) o.order_id, o.paid_at, o.amount_fen, st.id AS task_id,
        st.converted_order_id, st.window_end
      FROM sent st
      JOIN orders o ON o.external_userid = st.external_userid AND o.status = 'paid'
        AND o.paid_at > st.sent_at AND o.paid_at <= ${s.now}::timestamptz
      ORDER BY o.order_id, st.sent_at DESC, st.id DESC
    ),
    first_order AS (
      SELECT DISTINCT ON (task_id) task_id, order_id, paid_at, amount_fen
      FROM last_touch
      WHERE converted_order_id IS NULL AND paid_at <= window_end
        AND NOT EXISTS (SELECT 1 FROM sop_tasks x WHERE x.converted_order_id = last_touch.order_id)
      ORDER BY task_id, paid_at, order_id
    )
    UPDATE sop_tasks t SET converted_order_id = f.order_id, converted_at = f.paid_at, revenue_fen = f.amount_fen
    FROM first_order f WHERE t.id = f.task_id AND t.converted_order_id IS NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** An attributed order that was refunded or cancelled since converts nothing. */
export async function withdrawRefundedConversions(db: Db, s: OutcomeScope): Promise<number> {
  const result = await sql`
    UPDATE sop_tasks t SET converted_order_id = NULL, converted_at = NULL, revenue_fen = 0
    FROM orders o
    WHERE t.converted_at IS NOT NULL AND t.converted_at > ${s.sentSince}::timestamptz
      AND o.order_id = t.converted_order_id AND o.status <> 'paid' ${scopeFilter(s, sql`t`)}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** First behaviour event or order within `withinMs` after sending. */
export async function recordResponses(db: Db, s: OutcomeScope, withinMs: number): Promise<number> {
  const within = sql`make_interval(secs => ${withinMs / 1000}::double precision)`;
  const result = await sql`
    UPDATE sop_tasks t SET responded_at = r.first_at
    FROM (
      SELECT t.id, least(
        (SELECT min(e.occurred_at) FROM behavior_events e
          WHERE e.external_userid = t.external_userid AND e.occurred_at > t.sent_at
            AND e.occurred_at <= t.sent_at + ${within}),
        (SELECT min(o.paid_at) FROM orders o
          WHERE o.external_userid = t.external_userid AND o.paid_at > t.sent_at
            AND o.paid_at <= t.sent_at + ${within})) AS first_at
      FROM sop_tasks t
      WHERE t.status IN ('sent', 'done') AND t.responded_at IS NULL
        AND t.sent_at > ${new Date(s.now.getTime() - withinMs - 7 * 86_400_000)}::timestamptz ${scopeFilter(s, sql`t`)}
    ) r
    WHERE t.id = r.id AND r.first_at IS NOT NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** sent → done once the outcome is final: converted, or the conversion window has closed. */
export async function closeOutcomes(db: Db, now: Date): Promise<number> {
  const result = await sql`
    UPDATE sop_tasks t SET status = 'done', done_at = ${now}::timestamptz
    FROM sop_rules r
    WHERE t.status = 'sent' AND r.id = t.rule_id
      AND (t.converted_order_id IS NOT NULL
        OR t.sent_at + make_interval(days => coalesce((r.params->>'conversionDays')::int, 7)) < ${now}::timestamptz)`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
