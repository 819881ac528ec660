import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../infra/clock.js';
import type { Logger } from '../../../infra/logger.js';
import { staffWithCustomers, upsertStaffBehavior } from '../../../repositories/staff-behavior.js';
import { WeComApiError } from '../../../wecom/errors.js';
import type { SopWeCom } from '../ports.js';
import { addDays, shanghaiDay, shanghaiDayStart } from '../time.js';

/** WeCom settles a day's figures the next day and may restate them: re-read the last few days. */
export const BEHAVIOR_SYNC_DAYS = 3;

/**
 * Daily: WeCom's get_user_behavior_data per salesperson for the last BEHAVIOR_SYNC_DAYS days into
 * staff_behavior_daily. One call per salesperson, because WeCom sums the figures of every userid
 * given in one call.
 */
export class StaffBehaviorSync {
  constructor(private readonly deps: { db: Db; clock: Clock; wecom: SopWeCom; logger: Logger }) {}

  async run(): Promise<{ staff: number; days: number; failed: number }> {
    const { db, clock, wecom, logger } = this.deps;
    const today = shanghaiDay(clock.now());
    const startTime = shanghaiDayStart(addDays(today, -BEHAVIOR_SYNC_DAYS));
    const endTime = shanghaiDayStart(addDays(today, -1));
    let days = 0;
    let failed = 0;
    const staff = await staffWithCustomers(db);
    for (const userid of staff) {
      try {
        const answer = await wecom.getUserBehaviorData({ userids: [userid], startTime, endTime });
        days += await upsertStaffBehavior(
          db,
          answer.behavior_data.map((d) => ({
            userid,
            day: shanghaiDay(new Date(d.stat_time * 1000)),
            chatCnt: d.chat_cnt ?? 0,
            messageCnt: d.message_cnt ?? 0,
            replyPercentage: d.reply_percentage ?? null,
            avgReplyTime: d.avg_reply_time ?? null,
            negativeFeedbackCnt: d.negative_feedback_cnt ?? 0,
            newApplyCnt: d.new_apply_cnt ?? 0,
            newContactCnt: d.new_contact_cnt ?? 0,
          })),
          clock.now(),
        );
      } catch (err) {
        // one salesperson without the permission must not stop the others
        if (!(err instanceof WeComApiError) || !err.permanent) throw err;
        failed += 1;
        logger.warn({ err, userid }, 'no behaviour data for this salesperson');
      }
    }
    return { staff: staff.length, days, failed };
  }
}
