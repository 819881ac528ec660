import { type Kysely, sql } from 'kysely';
import { defaultRules } from '../../../shared/sop.js';

/**
 * The SOP engine: delivery bookkeeping on tasks, the staff reminder clock, WeCom's per-staff
 * service figures, the indexes the scans and delivery jobs need, and the three default rules.
 */
const statements = [
  `ALTER TABLE sop_tasks
    ADD COLUMN delivery_mode text NOT NULL DEFAULT 'staff_task'
      CHECK (delivery_mode IN ('staff_task', 'mass_send')),
    ADD COLUMN reason text,
    ADD COLUMN failure_reason text,
    ADD COLUMN responded_at timestamptz,
    ADD COLUMN dispatch_token text,
    ADD COLUMN dispatch_claimed_at timestamptz`,
  `ALTER TABLE sop_skips
    ADD COLUMN variant smallint NOT NULL DEFAULT 0,
    ADD COLUMN userid text`,

  // reminder digests: staff_task tasks not yet announced, and pending tasks past due not yet reminded
  `CREATE INDEX sop_tasks_unnotified_idx ON sop_tasks (userid)
    WHERE status = 'pending' AND notified_at IS NULL AND delivery_mode = 'staff_task'`,
  // pending tasks by due time: overdue reminders, expiry, the quiet-hours wait
  `CREATE INDEX sop_tasks_pending_due_idx ON sop_tasks (due_at) WHERE status = 'pending'`,
  // mass sends: waiting to be dispatched, and dispatched awaiting WeCom's result
  `CREATE INDEX sop_tasks_mass_queue_idx ON sop_tasks (userid, rule_id, variant)
    WHERE delivery_mode = 'mass_send' AND status = 'pending' AND mass_msgid IS NULL`,
  `CREATE INDEX sop_tasks_mass_msgid_idx ON sop_tasks (mass_msgid, userid)
    WHERE mass_msgid IS NOT NULL AND status = 'pending'`,
  // outcomes: tasks sent within the conversion windows
  `CREATE INDEX sop_tasks_sent_at_idx ON sop_tasks (sent_at) WHERE sent_at IS NOT NULL`,
  // … and those still waiting for their outcome (sent → done)
  `CREATE INDEX sop_tasks_awaiting_outcome_idx ON sop_tasks (sent_at) WHERE status = 'sent'`,
  // an order converts at most one task
  `CREATE UNIQUE INDEX sop_tasks_converted_order_idx ON sop_tasks (converted_order_id)
    WHERE converted_order_id IS NOT NULL`,
  `CREATE INDEX sop_tasks_converted_at_idx ON sop_tasks (converted_at) WHERE converted_at IS NOT NULL`,

  // interaction counts per customer and time window (churn_risk), without visiting other kinds
  `CREATE INDEX behavior_events_customer_time_idx ON behavior_events (external_userid, occurred_at)`,
  // the scan frontiers read only (kind, time, customer) and (time, customer): covering versions of
  // 0001's indexes on the same keys answer them from the index alone
  `DROP INDEX behavior_events_kind_time_idx`,
  `CREATE INDEX behavior_events_kind_time_idx ON behavior_events (kind, occurred_at) INCLUDE (external_userid)`,
  `DROP INDEX coupons_unused_expiry_idx`,
  `CREATE INDEX coupons_unused_expiry_idx ON coupons (expires_at) INCLUDE (external_userid, coupon_id)
    WHERE used_at IS NULL`,
  `DROP INDEX customers_last_interaction_idx`,
  `CREATE INDEX customers_last_interaction_idx ON customers (last_interaction_at) INCLUDE (external_userid)`,
  // churn_risk's high-value lapse: customers by historic AOV, then last order, with what the
  // interaction checks need in the index itself
  `CREATE INDEX customers_high_value_idx ON customers ((total_spent_fen / order_count), last_order_at)
    INCLUDE (external_userid, total_spent_fen, order_count, last_interaction_at) WHERE order_count > 0`,
  // growth report: relations added per day
  `CREATE INDEX follow_relations_added_idx ON follow_relations (added_at)`,

  // one row per salesperson: when their last reminder digest went out (at most one per hour)
  `CREATE TABLE sop_staff_digests (
    userid text PRIMARY KEY,
    last_digest_at timestamptz NOT NULL
  )`,

  // WeCom's get_user_behavior_data, per staff member and Asia/Shanghai day
  `CREATE TABLE staff_behavior_daily (
    userid text NOT NULL,
    day date NOT NULL,
    chat_cnt integer NOT NULL DEFAULT 0,
    message_cnt integer NOT NULL DEFAULT 0,
    reply_percentage double precision,
    avg_reply_time double precision,
    negative_feedback_cnt integer NOT NULL DEFAULT 0,
    new_apply_cnt integer NOT NULL DEFAULT 0,
    new_contact_cnt integer NOT NULL DEFAULT 0,
    synced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (userid, day)
  )`,
  `CREATE INDEX staff_behavior_daily_day_idx ON staff_behavior_daily (day)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
  for (const rule of defaultRules()) {
    await sql`
      INSERT INTO sop_rules (name, trigger, enabled, params, audience, variants, delivery_mode,
        due_minutes, cooldown_days, schedule)
      VALUES (${rule.name}, ${rule.trigger}, ${rule.enabled}, ${JSON.stringify(rule.params)}::jsonb,
        ${JSON.stringify(rule.audience)}::jsonb, ${JSON.stringify(rule.variants)}::jsonb,
        ${rule.deliveryMode}, ${rule.dueMinutes}, ${rule.cooldownDays}, ${rule.schedule})`.execute(db);
  }
}
