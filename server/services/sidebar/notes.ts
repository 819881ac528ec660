import type { Note, NoteInput } from '../../../shared/customer.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { findNoteForReminder, insertNote, markReminded } from '../../repositories/notes.js';
import { appendTimeline } from '../../repositories/timeline.js';
import type { WeComClient } from '../../wecom/client.js';
import type { AccessUser, CustomerAccess } from '../access/customer-access.js';
import { iso } from './format.js';

const MAX_REMIND_AHEAD_MS = 366 * 86_400_000;

/** Schedules the reminder for a note; the job id is derived from the note, so scheduling is idempotent. */
export type ReminderScheduler = (noteId: number, delayMs: number) => Promise<void>;

interface Deps {
  db: Db;
  clock: Clock;
  access: CustomerAccess;
  wecom: Pick<WeComClient, 'sendAppMessage'>;
  scheduleReminder: ReminderScheduler;
  publicUrl: string;
}

/** Follow-up notes (跟进记录) on the timeline, with an optional reminder to their author. */
export class CustomerNotes {
  constructor(private readonly deps: Deps) {}

  async add(user: AccessUser, externalUserid: string, input: NoteInput): Promise<Note> {
    const { db, clock, access, scheduleReminder } = this.deps;
    await access.assertCanSee(user, externalUserid);
    const now = clock.now();
    const remindAt = input.remindAt === undefined ? null : new Date(input.remindAt);
    if (remindAt && (remindAt <= now || remindAt.getTime() - now.getTime() > MAX_REMIND_AHEAD_MS)) {
      throw new AppError('bad_request', 'remindAt must be in the future and within a year');
    }
    // The reminder is enqueued inside the transaction: if Redis refuses, no note is stored
    // without its reminder. A job whose note never committed finds nothing and does nothing.
    const note = await db.transaction().execute(async (tx) => {
      const row = await insertNote(tx, {
        externalUserid,
        userid: user.userid,
        text: input.text,
        followStatus: input.followStatus ?? null,
        remindAt,
        now,
      });
      const id = Number(row.id);
      await appendTimeline(tx, [
        {
          externalUserid,
          kind: 'note',
          actor: user.userid,
          occurredAt: now,
          data: {
            noteId: id,
            userid: user.userid,
            text: row.text,
            followStatus: row.follow_status,
            remindAt: remindAt && iso(remindAt),
          },
          dedupeKey: `note:${id}`,
        },
      ]);
      if (remindAt) await scheduleReminder(id, remindAt.getTime() - now.getTime());
      return row;
    });
    return {
      id: Number(note.id),
      externalUserId: note.external_userid,
      userid: note.userid,
      text: note.text,
      followStatus: note.follow_status,
      remindAt: iso(note.remind_at),
      createdAt: iso(note.created_at),
    };
  }

  /** The `notes.remind` job: one app message (textcard) to the note's author, at most once. */
  async sendReminder(noteId: number): Promise<{ sent: boolean; reason?: string }> {
    const { db, clock, wecom, publicUrl } = this.deps;
    const note = await findNoteForReminder(db, noteId);
    if (!note) return { sent: false, reason: 'note not found' };
    if (note.reminded_at) return { sent: false, reason: 'already reminded' };
    const customer = note.customer_name || note.external_userid;
    await wecom.sendAppMessage({
      touser: [note.userid],
      msgtype: 'textcard',
      textcard: {
        title: `跟进提醒：${customer}`,
        description: note.text.length > 120 ? `${note.text.slice(0, 119)}…` : note.text,
        url: `${publicUrl}/customer/${encodeURIComponent(note.external_userid)}`,
        btntxt: '查看客户',
      },
      // a retry after WeCom accepted but before we recorded it must not message twice
      enableDuplicateCheck: true,
      duplicateCheckInterval: 3600,
    });
    await markReminded(db, noteId, clock.now());
    return { sent: true };
  }
}
