import { type Kysely, sql } from 'kysely';

/**
 * Acquisition channels (渠道活码), monthly targets (目标跟踪) and data-quality flags (数据清洗).
 * The figures these feed are defined in services/analytics/definitions.ts.
 */
const statements = [
  // One WeCom contact way per channel. `state` is ours (≤ 30 characters, WeCom's limit) and comes
  // back on every add_external_contact made through the QR code; reports group relations by it.
  // Deleting a channel deletes the contact way in WeCom but keeps the row (deleted_at), so the
  // reports of past periods still name it.
  `CREATE TABLE channels (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    state text NOT NULL UNIQUE CHECK (length(state) BETWEEN 1 AND 30),
    config_id text,
    qr_code text,
    way_type smallint NOT NULL DEFAULT 1 CHECK (way_type IN (1, 2)),
    staff_userids text[] NOT NULL DEFAULT '{}',
    tag_ids text[] NOT NULL DEFAULT '{}',
    welcome_text text,
    cost_fen bigint NOT NULL DEFAULT 0 CHECK (cost_fen >= 0),
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
  )`,
  `CREATE INDEX channels_live_idx ON channels (created_at) WHERE deleted_at IS NULL`,

  // Monthly targets: the team's (userid NULL) or one salesperson's, one value per metric.
  `CREATE TABLE targets (
    month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    scope text NOT NULL CHECK (scope IN ('team', 'staff')),
    userid text,
    metric text NOT NULL,
    value double precision NOT NULL CHECK (value >= 0),
    updated_by text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'team') = (userid IS NULL))
  )`,
  `CREATE UNIQUE INDEX targets_key_idx ON targets (month, metric, (coalesce(userid, '')))`,

  // A flag is one detection of one rule for one customer; detection_key names the occurrence
  // (the relation, the shared unionid, …) so a flag a supervisor cleared is not raised again for
  // the same occurrence. cleared_by 'system' = the condition no longer holds.
  `CREATE TABLE customer_flags (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_userid text NOT NULL REFERENCES customers (external_userid),
    flag text NOT NULL,
    detection_key text NOT NULL DEFAULT '',
    detail jsonb NOT NULL DEFAULT '{}',
    detected_at timestamptz NOT NULL,
    cleared_at timestamptz,
    cleared_by text,
    UNIQUE (external_userid, flag, detection_key)
  )`,
  // SOP audiences and reports exclude customers with an open flag
  `CREATE INDEX customer_flags_open_idx ON customer_flags (external_userid) WHERE cleared_at IS NULL`,
  `CREATE INDEX customer_flags_review_idx ON customer_flags (flag, detected_at DESC, id DESC)`,

  // the channel report: relations per channel code and time
  `CREATE INDEX follow_relations_state_added_idx ON follow_relations (state, added_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
