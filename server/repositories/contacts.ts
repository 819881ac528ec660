import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { preparedMarker } from '../db/prepared.js';
import type { FollowStatus } from '../db/schema.js';

/** A customer as WeCom describes it (externalcontact/get, batch/get_by_user). */
export interface ContactSnapshot {
  externalUserid: string;
  name: string;
  avatar: string | null;
  type: number | null;
  gender: number | null;
  unionid: string | null;
  corpName: string | null;
  /** the channel (`state`) the customer came through; kept once recorded */
  channelState?: string | null;
}

/** One salesperson's relation to a customer, as WeCom describes it. */
export interface RelationSnapshot {
  externalUserid: string;
  userid: string;
  remark: string;
  description: string;
  remarkMobiles: string[];
  addWay: number | null;
  state: string | null;
  addedAt: Date;
  half?: boolean;
  tagIds: string[];
  /** CreateTime of the WeCom event that reported this relation, when one did */
  eventAt?: Date;
}

export interface TagChange {
  externalUserid: string;
  userid: string;
  tagId: string;
  /** names from the catalogue, when the writer already had them */
  tagName?: string;
  groupName?: string;
}

export async function ensureStaff(db: Db, userids: readonly string[]): Promise<void> {
  const unique = [...new Set(userids)];
  if (!unique.length) return;
  await db
    .insertInto('staff')
    .values(unique.map((userid) => ({ userid })))
    .onConflict((oc) => oc.column('userid').doNothing())
    .execute();
}

export async function upsertContacts(db: Db, contacts: readonly ContactSnapshot[], now: Date): Promise<void> {
  if (!contacts.length) return;
  const col = <T>(f: (c: ContactSnapshot) => T) => contacts.map(f);
  await db
    .insertInto('customers')
    .columns([
      'external_userid',
      'name',
      'avatar',
      'type',
      'gender',
      'unionid',
      'corp_name',
      'channel_state',
      'wecom_synced_at',
    ])
    // unnest binds one array per column instead of nine parameters per row
    .expression(
      sql`select *, ${now}::timestamptz from unnest(
        ${col((c) => c.externalUserid)}::text[],
        ${col((c) => c.name)}::text[],
        ${col((c) => c.avatar)}::text[],
        ${col((c) => c.type)}::int[],
        ${col((c) => c.gender)}::int[],
        ${col((c) => c.unionid)}::text[],
        ${col((c) => c.corpName)}::text[],
        ${col((c) => c.channelState ?? null)}::text[])`,
    )
    .onConflict((oc) =>
      oc.column('external_userid').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        avatar: eb.ref('excluded.avatar'),
        type: eb.ref('excluded.type'),
        gender: eb.ref('excluded.gender'),
        unionid: eb.ref('excluded.unionid'),
        corp_name: eb.ref('excluded.corp_name'),
        channel_state: sql<string | null>`coalesce(customers.channel_state, excluded.channel_state)`,
        wecom_synced_at: eb.ref('excluded.wecom_synced_at'),
        updated_at: now,
      })),
    )
    .modifyEnd(sql.raw(preparedMarker('upsert_contacts')))
    .execute();
}

/** The customer's channel: the `state` of their earliest relation that has one. */
export function channelStateOf(relations: readonly RelationSnapshot[]): string | null {
  const withState = relations.filter((r) => r.state);
  withState.sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  return withState[0]?.state ?? null;
}

/** Upserts relations WeCom reports as current. */
export async function upsertRelations(
  db: Db,
  relations: readonly RelationSnapshot[],
  now: Date,
): Promise<void> {
  if (!relations.length) return;
  const endedLater = sql<boolean>`(follow_relations.status in ('deleted_by_staff', 'deleted_by_customer')
    and excluded.last_event_at is not null and follow_relations.last_event_at >= excluded.last_event_at)`;
  const col = <T>(f: (r: RelationSnapshot) => T) => relations.map(f);
  await db
    .insertInto('follow_relations')
    .columns([
      'external_userid',
      'userid',
      'remark',
      'description',
      'remark_mobiles',
      'add_way',
      'state',
      'added_at',
      'status',
      'last_event_at',
      'deleted_at',
      'deleted_by',
      'updated_at',
    ])
    // one array per column, as in upsertContacts; mobiles travel as JSON (unnest would flatten text[][])
    .expression(
      sql`select e, u, remark, description,
          array(select jsonb_array_elements_text(mobiles)), add_way, state, added_at, status, last_event_at,
          null::timestamptz, null, ${now}::timestamptz
        from unnest(
          ${col((r) => r.externalUserid)}::text[],
          ${col((r) => r.userid)}::text[],
          ${col((r) => r.remark)}::text[],
          ${col((r) => r.description)}::text[],
          ${col((r) => JSON.stringify(r.remarkMobiles))}::jsonb[],
          ${col((r) => r.addWay)}::int[],
          ${col((r) => r.state)}::text[],
          ${col((r) => r.addedAt.toISOString())}::timestamptz[],
          ${col((r) => (r.half ? 'half' : 'active'))}::text[],
          ${col((r) => r.eventAt?.toISOString() ?? null)}::timestamptz[]
        ) as t(e, u, remark, description, mobiles, add_way, state, added_at, status, last_event_at)`,
    )
    .onConflict((oc) =>
      oc.columns(['external_userid', 'userid']).doUpdateSet((eb) => ({
        remark: eb.ref('excluded.remark'),
        description: eb.ref('excluded.description'),
        remark_mobiles: eb.ref('excluded.remark_mobiles'),
        add_way: eb.ref('excluded.add_way'),
        state: sql<string | null>`coalesce(excluded.state, follow_relations.state)`,
        added_at: eb.ref('excluded.added_at'),
        // A relation ended by an event at or after this snapshot's event stays ended: a slow add
        // job that fetched WeCom before the delete must not revive it. A half relation confirmed
        // later becomes active; an active one never falls back to half.
        status: sql<FollowStatus>`case
          when ${endedLater} then follow_relations.status
          when follow_relations.status = 'active' and excluded.status = 'half' then 'active'
          else excluded.status end`,
        deleted_at: sql<Date | null>`case when ${endedLater} then follow_relations.deleted_at end`,
        deleted_by: sql<
          'staff' | 'customer' | null
        >`case when ${endedLater} then follow_relations.deleted_by end`,
        last_event_at: sql<Date | null>`greatest(follow_relations.last_event_at, excluded.last_event_at)`,
        updated_at: now,
      })),
    )
    .modifyEnd(sql.raw(preparedMarker('upsert_relations')))
    .execute();
}

/**
 * Makes each given relation's tags exactly the listed ones. Returns what was added and removed,
 * so the caller can write tag_added / tag_removed on the timeline.
 */
export async function replaceRelationTags(
  db: Db,
  relations: ReadonlyArray<{ externalUserid: string; userid: string; tagIds: readonly string[] }>,
): Promise<{ added: TagChange[]; removed: TagChange[] }> {
  if (!relations.length) return { added: [], removed: [] };
  const relExt = relations.map((r) => r.externalUserid);
  const relUser = relations.map((r) => r.userid);
  const tagExt: string[] = [];
  const tagUser: string[] = [];
  const tagIds: string[] = [];
  for (const r of relations) {
    for (const t of new Set(r.tagIds)) {
      tagExt.push(r.externalUserid);
      tagUser.push(r.userid);
      tagIds.push(t);
    }
  }
  // one round trip: remove what is no longer listed, add what is new, report both
  const { rows } = await sql<{
    change: 'added' | 'removed';
    external_userid: string;
    userid: string;
    tag_id: string;
    tag_name: string | null;
    group_name: string | null;
  }>`
    with incoming as (
      select * from unnest(${tagExt}::text[], ${tagUser}::text[], ${tagIds}::text[]) as t(e, u, tag)
    ), removed as (
      delete from customer_tags ct
      using unnest(${relExt}::text[], ${relUser}::text[]) as rel(e, u)
      where ct.external_userid = rel.e and ct.userid = rel.u
        and not exists (select 1 from incoming i where i.e = ct.external_userid and i.u = ct.userid and i.tag = ct.tag_id)
      returning ct.external_userid, ct.userid, ct.tag_id
    ), added as (
      insert into customer_tags (external_userid, userid, tag_id)
      select e, u, tag from incoming
      on conflict do nothing
      returning external_userid, userid, tag_id
    )
    select c.*, t.name as tag_name, g.name as group_name
    from (select 'removed' as change, * from removed union all select 'added' as change, * from added) c
    left join tags t on t.tag_id = c.tag_id
    left join tag_groups g on g.group_id = t.group_id`.execute(db);
  const toChange = (r: (typeof rows)[number]): TagChange => ({
    externalUserid: r.external_userid,
    userid: r.userid,
    tagId: r.tag_id,
    tagName: r.tag_name ?? r.tag_id,
    groupName: r.group_name ?? '',
  });
  return {
    added: rows.filter((r) => r.change === 'added').map(toChange),
    removed: rows.filter((r) => r.change === 'removed').map(toChange),
  };
}

/**
 * Marks a relation ended — unless a newer event already touched it (events can arrive out of
 * order; WeCom's CreateTime decides). Returns whether the relation changed.
 */
export type EndResult = 'ended' | 'stale' | 'missing';

/**
 * Marks a relation ended — unless a newer event already touched it (events can arrive out of
 * order; WeCom's CreateTime decides). `missing`: we hold no such relation (yet).
 */
export async function endRelation(
  db: Db,
  input: { externalUserid: string; userid: string; by: 'staff' | 'customer'; at: Date; now: Date },
): Promise<EndResult> {
  const result = await db
    .updateTable('follow_relations')
    .set({
      status: input.by === 'staff' ? 'deleted_by_staff' : 'deleted_by_customer',
      deleted_at: input.at,
      deleted_by: input.by,
      last_event_at: input.at,
      updated_at: input.now,
    })
    .where('external_userid', '=', input.externalUserid)
    .where('userid', '=', input.userid)
    .where((eb) => eb.or([eb('last_event_at', 'is', null), eb('last_event_at', '<=', input.at)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return 'ended';
  const exists = await db
    .selectFrom('follow_relations')
    .select('userid')
    .where('external_userid', '=', input.externalUserid)
    .where('userid', '=', input.userid)
    .executeTakeFirst();
  return exists ? 'stale' : 'missing';
}

export function tagNames(db: Db, tagIds: readonly string[]) {
  if (!tagIds.length) return Promise.resolve([]);
  return db
    .selectFrom('tags')
    .innerJoin('tag_groups', 'tag_groups.group_id', 'tags.group_id')
    .select(['tags.tag_id', 'tags.name', 'tag_groups.name as group_name'])
    .where('tags.tag_id', 'in', [...tagIds])
    .execute();
}
