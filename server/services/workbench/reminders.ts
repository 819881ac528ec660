import { formatShanghaiMinute } from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { assertRedisReady, type Redis } from '../../infra/redis.js';
import { countOpenTasks } from '../../repositories/sop-delivery.js';
import { findStaff } from '../../repositories/workbench.js';
import type { WeComClient } from '../../wecom/client.js';
import { asWeComFailure } from '../sidebar/wecom-failure.js';

/** A supervisor reminds one salesperson at most once per hour. */
export const REMIND_INTERVAL_SECONDS = 3600;

/** Raised when the salesperson was reminded within the interval; the route answers 429. */
export class RemindTooSoon extends Error {
  override name = 'RemindTooSoon';
  constructor(readonly retryAfterSeconds: number) {
    super(`already reminded within the hour; try again in ${Math.ceil(retryAfterSeconds / 60)} min`);
  }
}

export interface RemindResult {
  userid: string;
  name: string;
  open: number;
  overdue: number;
  sentAt: string;
  nextAllowedAt: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * The workbench's 提醒 action: a WeCom app textcard to one salesperson about their open SOP tasks,
 * linking to `${PUBLIC_URL}/tasks`. Rate-limited per salesperson in Redis (SET NX EX), so any
 * number of API processes agree; a failed send releases the slot.
 */
export class WorkbenchReminders {
  constructor(
    private readonly deps: {
      db: Db;
      redis: Redis;
      keyPrefix: string;
      clock: Clock;
      wecom: Pick<WeComClient, 'sendAppMessage'>;
      publicUrl: string;
      logger: Logger;
    },
  ) {}

  #key(userid: string) {
    return `${this.deps.keyPrefix}:workbench:remind:${userid}`;
  }

  async remind(actor: { userid: string; name: string }, userid: string): Promise<RemindResult> {
    const { db, redis, clock, wecom, publicUrl, logger } = this.deps;
    const staff = await findStaff(db, userid);
    if (!staff) throw notFound('salesperson');
    const now = clock.now();
    const { open, overdue } = await countOpenTasks(db, userid, now);
    if (open === 0) throw new AppError('conflict', `${userid} has no open SOP tasks to be reminded of`);

    assertRedisReady(redis);
    const key = this.#key(userid);
    const claimed = await redis.set(key, now.toISOString(), 'EX', REMIND_INTERVAL_SECONDS, 'NX');
    if (claimed !== 'OK') {
      const ttl = await redis.ttl(key);
      throw new RemindTooSoon(ttl > 0 ? ttl : REMIND_INTERVAL_SECONDS);
    }
    const who = escapeHtml(actor.name || actor.userid);
    try {
      await wecom.sendAppMessage({
        touser: [userid],
        msgtype: 'textcard',
        textcard: {
          title: 'SOP任务提醒',
          description: [
            `<div class="gray">${formatShanghaiMinute(now)}</div>`,
            `<div class="normal">${who} 提醒你尽快处理 SOP 任务</div>`,
            `<div class="highlight">待处理 ${open} 条${overdue ? `，其中已逾期 ${overdue} 条` : ''}</div>`,
          ].join(''),
          url: `${publicUrl}/tasks`,
          btntxt: '去处理',
        },
      });
    } catch (err) {
      await redis.del(key).catch(() => undefined);
      logger.warn({ err, userid }, 'workbench reminder failed');
      throw asWeComFailure(err);
    }
    logger.info({ userid, by: actor.userid, open, overdue }, 'workbench reminder sent');
    return {
      userid,
      name: staff.name || userid,
      open,
      overdue,
      sentAt: now.toISOString(),
      nextAllowedAt: new Date(now.getTime() + REMIND_INTERVAL_SECONDS * 1000).toISOString(),
    };
  }
}
