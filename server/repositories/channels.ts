import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ChannelsTable } from '../db/schema.js';

export type ChannelRow = Selectable<ChannelsTable>;

export function listChannels(db: Db, includeDeleted: boolean): Promise<ChannelRow[]> {
  let q = db.selectFrom('channels').selectAll();
  if (!includeDeleted) q = q.where('deleted_at', 'is', null);
  return q.orderBy('id', 'desc').execute();
}

export function findChannel(db: Db, id: number): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The channel a `state` belongs to, deleted or not (a customer added before the deletion still came through it). */
export function channelByState(db: Db, state: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('state', '=', state).executeTakeFirst();
}

export function insertChannel(db: Db, values: Insertable<ChannelsTable>): Promise<ChannelRow> {
  return db.insertInto('channels').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateChannel(db: Db, id: number, values: Updateable<ChannelsTable>): Promise<ChannelRow> {
  return db.updateTable('channels').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
