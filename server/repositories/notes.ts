import type { Db } from '../db/database.js';

export function insertNote(
  db: Db,
  note: {
    externalUserid: string;
    userid: string;
    text: string;
    followStatus: string | null;
    remindAt: Date | null;
    now: Date;
  },
) {
  return db
    .insertInto('notes')
    .values({
      external_userid: note.externalUserid,
      userid: note.userid,
      text: note.text,
      follow_status: note.followStatus,
      remind_at: note.remindAt,
      created_at: note.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A note whose reminder is due, with the customer's name for the message. */
export function findNoteForReminder(db: Db, noteId: number) {
  return db
    .selectFrom('notes as n')
    .innerJoin('customers as c', 'c.external_userid', 'n.external_userid')
    .select([
      'n.id',
      'n.external_userid',
      'n.userid',
      'n.text',
      'n.remind_at',
      'n.reminded_at',
      'c.name as customer_name',
    ])
    .where('n.id', '=', noteId)
    .executeTakeFirst();
}

/** Marks a reminder sent; false if another run already did. */
export async function markReminded(db: Db, noteId: number, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('notes')
    .set({ reminded_at: at })
    .where('id', '=', noteId)
    .where('reminded_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
