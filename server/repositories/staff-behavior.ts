import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface StaffBehaviorDay {
  userid: string;
  /** Asia/Shanghai day, YYYY-MM-DD */
  day: string;
  chatCnt: number;
  messageCnt: number;
  replyPercentage: number | null;
  avgReplyTime: number | null;
  negativeFeedbackCnt: number;
  newApplyCnt: number;
  newContactCnt: number;
}

/** WeCom restates recent days as its figures settle: the latest answer wins. */
export async function upsertStaffBehavior(
  db: Db,
  rows: readonly StaffBehaviorDay[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db
    .insertInto('staff_behavior_daily')
    .values(
      rows.map((r) => ({
        userid: r.userid,
        day: r.day,
        chat_cnt: r.chatCnt,
        message_cnt: r.messageCnt,
        reply_percentage: r.replyPercentage,
        avg_reply_time: r.avgReplyTime,
        negative_feedback_cnt: r.negativeFeedbackCnt,
        new_apply_cnt: r.newApplyCnt,
        new_contact_cnt: r.newContactCnt,
        synced_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['userid', 'day']).doUpdateSet({
        chat_cnt: sql`excluded.chat_cnt`,
        message_cnt: sql`excluded.message_cnt`,
        reply_percentage: sql`excluded.reply_percentage`,
        avg_reply_time: sql`excluded.avg_reply_time`,
        negative_feedback_cnt: sql`excluded.negative_feedback_cnt`,
        new_apply_cnt: sql`excluded.new_apply_cnt`,
        new_contact_cnt: sql`excluded.new_contact_cnt`,
        synced_at: sql`excluded.synced_at`,
      }),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Staff whose service figures WeCom keeps: those with the customer-contact permission or customers. */
export async function staffWithCustomers(db: Db): Promise<string[]> {
  const { rows } = await sql<{ userid: string }>`
    SELECT userid FROM staff WHERE active AND has_contact_permission
    UNION
    SELECT DISTINCT userid FROM follow_relations WHERE status = 'active'
    ORDER BY userid`.execute(db);
  return rows.map((r) => r.userid);
}
