import { type Kysely, sql } from 'kysely';

/** The quick-reply library (话术库) staff pick from in the sidebar; see shared/quick-replies.ts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE quick_replies (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_name text NOT NULL DEFAULT '默认',
    title text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('text', 'link', 'image')),
    content text NOT NULL DEFAULT '',
    link_url text,
    link_title text,
    link_image_url text,
    variables text[] NOT NULL DEFAULT '{}',
    sort_order integer NOT NULL DEFAULT 0,
    times_sent integer NOT NULL DEFAULT 0,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX quick_replies_group_idx ON quick_replies (group_name, sort_order, id)`.execute(db);
}
