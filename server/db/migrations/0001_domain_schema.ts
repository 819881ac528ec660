import { type Kysely, sql } from 'kysely';

/**
 * The whole domain schema of the design. Money is integer fen (bigint), never floating point.
 * Every index here serves a named query: per-customer timeline paging, SOP scans, reports.
 */
const statements = [
  `CREATE TABLE staff (
    userid text PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    avatar text,
    department_ids integer[] NOT NULL DEFAULT '{}',
    has_contact_permission boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  // A customer row may exist before WeCom tells us about the contact (an order ingested first):
  // wecom_synced_at stays null until the contact is fetched.
  `CREATE TABLE customers (
    external_userid text PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    avatar text,
    type smallint,
    gender smallint,
    unionid text,
    corp_name text,
    wecom_synced_at timestamptz,
    total_spent_fen bigint NOT NULL DEFAULT 0,
    order_count integer NOT NULL DEFAULT 0,
    refund_count integer NOT NULL DEFAULT 0,
    refunded_fen bigint NOT NULL DEFAULT 0,
    first_order_at timestamptz,
    last_order_at timestamptz,
    last_interaction_at timestamptz,
    lifecycle_stage text NOT NULL DEFAULT 'new'
      CHECK (lifecycle_stage IN ('new', 'active', 'silent', 'churn_risk', 'lost')),
    rfm_segment text,
    intent_score double precision NOT NULL DEFAULT 0,
    intent_updated_at timestamptz,
    channel_state text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX customers_unionid_idx ON customers (unionid) WHERE unionid IS NOT NULL`,
  `CREATE INDEX customers_last_interaction_idx ON customers (last_interaction_at)`,
  `CREATE INDEX customers_value_idx ON customers (last_order_at, total_spent_fen, order_count)`,

  `CREATE TABLE follow_relations (
    external_userid text NOT NULL REFERENCES customers (external_userid),
    userid text NOT NULL,
    remark text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    remark_mobiles text[] NOT NULL DEFAULT '{}',
    add_way integer,
    state text,
    added_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'active'
      CHECK (status IN ('active', 'deleted_by_staff', 'deleted_by_customer', 'half')),
    deleted_at timestamptz,
    deleted_by text CHECK (deleted_by IN ('staff', 'customer')),
    last_event_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (external_userid, userid)
  )`,
  `CREATE INDEX follow_relations_userid_idx ON follow_relations (userid, status)`,
  `CREATE INDEX follow_relations_state_idx ON follow_relations (state) WHERE state IS NOT NULL`,
  `CREATE INDEX follow_relations_deleted_idx ON follow_relations (deleted_at) WHERE deleted_at IS NOT NULL`,

  `CREATE TABLE tag_groups (
    group_id text PRIMARY KEY,
    name text NOT NULL,
    sort_order integer NOT NULL DEFAULT 0,
    deleted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE tags (
    tag_id text PRIMARY KEY,
    group_id text NOT NULL REFERENCES tag_groups (group_id),
    name text NOT NULL,
    sort_order integer NOT NULL DEFAULT 0,
    deleted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX tags_group_idx ON tags (group_id)`,
  // Tags belong to one follow relation: each salesperson tags their own view of the customer.
  `CREATE TABLE customer_tags (
    external_userid text NOT NULL,
    userid text NOT NULL,
    tag_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (external_userid, userid, tag_id),
    FOREIGN KEY (external_userid, userid) REFERENCES follow_relations (external_userid, userid)
  )`,
  `CREATE INDEX customer_tags_tag_idx ON customer_tags (tag_id, external_userid)`,

  `CREATE TABLE group_chats (
    chat_id text PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    owner text,
    notice text NOT NULL DEFAULT '',
    created_at_wecom timestamptz,
    member_version text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dismissed')),
    dismissed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX group_chats_owner_idx ON group_chats (owner)`,
  // member_type: 1 staff, 2 external contact (WeCom's values). left_at keeps who left and when.
  `CREATE TABLE group_members (
    chat_id text NOT NULL REFERENCES group_chats (chat_id),
    member_id text NOT NULL,
    member_type smallint NOT NULL,
    name text NOT NULL DEFAULT '',
    group_nickname text NOT NULL DEFAULT '',
    join_time timestamptz,
    join_scene smallint,
    invitor text,
    left_at timestamptz,
    PRIMARY KEY (chat_id, member_id)
  )`,
  `CREATE INDEX group_members_member_idx ON group_members (member_id)`,

  // external_userid is deliberately not a foreign key target requirement of WeCom: orders for
  // a contact not yet added are kept against a stub customer row.
  `CREATE TABLE orders (
    order_id text PRIMARY KEY,
    external_userid text NOT NULL REFERENCES customers (external_userid),
    amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
    status text NOT NULL CHECK (status IN ('paid', 'refunded', 'cancelled')),
    paid_at timestamptz NOT NULL,
    refunded_at timestamptz,
    coupon_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX orders_customer_paid_idx ON orders (external_userid, paid_at DESC)`,
  `CREATE INDEX orders_paid_at_idx ON orders (paid_at)`,
  `CREATE TABLE order_items (
    order_id text NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    qty integer NOT NULL CHECK (qty > 0),
    price_fen bigint NOT NULL CHECK (price_fen >= 0),
    PRIMARY KEY (order_id, line_no)
  )`,

  `CREATE TABLE coupons (
    coupon_id text PRIMARY KEY,
    external_userid text NOT NULL REFERENCES customers (external_userid),
    name text NOT NULL,
    value_fen bigint NOT NULL CHECK (value_fen >= 0),
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX coupons_customer_idx ON coupons (external_userid, expires_at)`,
  `CREATE INDEX coupons_unused_expiry_idx ON coupons (expires_at) WHERE used_at IS NULL`,

  `CREATE TABLE behavior_events (
    event_id text PRIMARY KEY,
    external_userid text NOT NULL REFERENCES customers (external_userid),
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX behavior_events_customer_idx ON behavior_events (external_userid, kind, occurred_at DESC)`,
  `CREATE INDEX behavior_events_kind_time_idx ON behavior_events (kind, occurred_at)`,

  // One timeline across every source. dedupe_key makes each writer idempotent: a retried job
  // or a re-sent ingest item writes the same key and is ignored.
  `CREATE TABLE timeline (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_userid text NOT NULL,
    kind text NOT NULL,
    actor text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    dedupe_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX timeline_customer_page_idx ON timeline (external_userid, occurred_at DESC, id DESC)`,
  `CREATE INDEX timeline_kind_time_idx ON timeline (kind, occurred_at)`,

  `CREATE TABLE notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_userid text NOT NULL REFERENCES customers (external_userid),
    userid text NOT NULL,
    text text NOT NULL,
    follow_status text,
    remind_at timestamptz,
    reminded_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX notes_customer_idx ON notes (external_userid, created_at DESC)`,
  `CREATE INDEX notes_due_reminder_idx ON notes (remind_at) WHERE reminded_at IS NULL AND remind_at IS NOT NULL`,

  `CREATE TABLE sop_rules (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    trigger text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    params jsonb NOT NULL DEFAULT '{}',
    audience jsonb NOT NULL DEFAULT '{}',
    variants jsonb NOT NULL DEFAULT '[]',
    delivery_mode text NOT NULL DEFAULT 'staff_task' CHECK (delivery_mode IN ('staff_task', 'mass_send')),
    due_minutes integer NOT NULL DEFAULT 240,
    cooldown_days integer NOT NULL DEFAULT 7,
    schedule text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  // window_key names the occasion a task answers (a day, a coupon id, …): with rule and customer
  // it is unique, so a re-run scan or a retried job cannot create a second task.
  `CREATE TABLE sop_tasks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id bigint NOT NULL REFERENCES sop_rules (id),
    external_userid text NOT NULL REFERENCES customers (external_userid),
    userid text NOT NULL,
    window_key text NOT NULL,
    variant smallint NOT NULL DEFAULT 0,
    message text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'sent', 'done', 'skipped', 'failed', 'expired')),
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    overdue_reminded_at timestamptz,
    sent_at timestamptz,
    done_at timestamptz,
    skipped_reason text,
    mass_msgid text,
    converted_order_id text,
    converted_at timestamptz,
    revenue_fen bigint NOT NULL DEFAULT 0,
    UNIQUE (rule_id, external_userid, window_key)
  )`,
  `CREATE INDEX sop_tasks_staff_status_idx ON sop_tasks (userid, status, due_at)`,
  `CREATE INDEX sop_tasks_customer_idx ON sop_tasks (external_userid, created_at DESC)`,
  `CREATE INDEX sop_tasks_created_idx ON sop_tasks (created_at)`,
  `CREATE INDEX sop_tasks_sent_idx ON sop_tasks (external_userid, sent_at) WHERE sent_at IS NOT NULL`,

  // Matches the contact-pressure rules held back: supervisors see what the cap prevented.
  `CREATE TABLE sop_skips (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id bigint NOT NULL REFERENCES sop_rules (id),
    external_userid text NOT NULL,
    window_key text NOT NULL,
    reason text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (rule_id, external_userid, window_key)
  )`,
  `CREATE INDEX sop_skips_created_idx ON sop_skips (created_at)`,

  `CREATE TABLE settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
