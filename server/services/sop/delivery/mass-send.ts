import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../infra/clock.js';
import type { Logger } from '../../../infra/logger.js';
import {
  applyMassOutcomes,
  claimMassBatch,
  failInterruptedDispatches,
  failMassClaim,
  type MassOutcome,
  markMassReminded,
  massBatches,
  massSendsToPoll,
  recordMassMsgid,
  releaseMassClaim,
} from '../../../repositories/sop-delivery.js';
import { WeComApiError, WeComRateLimitError, WeComTransportError } from '../../../wecom/errors.js';
import type { SopWeCom } from '../ports.js';
import { isQuiet, loadPressure } from '../pressure.js';
import { HOUR_MS, MINUTE_MS } from '../time.js';

/**
 * Recipients per `externalcontact/add_msg_template` call. WeCom's documentation of the API
 * (客户联系 › 消息推送 › 创建企业群发, developer.work.weixin.qq.com/document/path/92135) limits
 * `external_userid` to 10,000 customers per call.
 */
export const MASS_SEND_MAX_RECIPIENTS = 10_000;
/** A claimed batch whose msgid is not recorded after this long was interrupted mid-dispatch. */
export const DISPATCH_LEASE_MS = 10 * MINUTE_MS;
/** Recipients still unconfirmed this long after the due time are given up (expired). */
export const MASS_SEND_GRACE_MS = 24 * HOUR_MS;
const BATCHES_PER_RUN = 200;
const POLLS_PER_RUN = 200;
const RESULT_PAGE = 1000;

/** WeCom send_list status → task outcome (0 = not yet sent stays pending). */
const RECIPIENT_STATUS: Record<number, { status: MassOutcome['status']; reason: string | null }> = {
  1: { status: 'sent', reason: null },
  2: { status: 'failed', reason: 'not_a_friend' },
  3: { status: 'failed', reason: 'already_received_mass_message' },
};

/** The call certainly did not reach WeCom (or WeCom refused it): the claim can be released. */
function certainlyNotSent(err: unknown): boolean {
  if (err instanceof WeComApiError || err instanceof WeComRateLimitError) return true;
  return err instanceof WeComTransportError && err.details.code === 'ECONNREFUSED';
}

/**
 * mass_send delivery. Dispatch claims due tasks with a dispatch token, calls add_msg_template once
 * per salesperson and message (≤ MASS_SEND_MAX_RECIPIENTS), then records the msgid on exactly the
 * claimed tasks; tasks carrying a msgid or a live claim are never sent again. Polling reads
 * get_groupmsg_send_result until every recipient is sent, failed or, unconfirmed past due plus
 * grace, expired; an overdue send is reminded once with remind_groupmsg_send.
 */
export class MassSends {
  constructor(private readonly deps: { db: Db; clock: Clock; wecom: SopWeCom; logger: Logger }) {}

  async dispatch(): Promise<{ calls: number; tasks: number; interrupted: number }> {
    const { db, clock, wecom, logger } = this.deps;
    const now = clock.now();
    const interrupted = await failInterruptedDispatches(db, new Date(now.getTime() - DISPATCH_LEASE_MS));
    if (interrupted) logger.warn({ interrupted }, 'mass-send claims interrupted mid-dispatch marked failed');
    if (isQuiet(now, (await loadPressure(db)).quietHours)) return { calls: 0, tasks: 0, interrupted };
    let calls = 0;
    let tasks = 0;
    for (const batch of await massBatches(db, BATCHES_PER_RUN)) {
      for (;;) {
        const token = randomUUID();
        const claimed = await db
          .transaction()
          .execute((trx) => claimMassBatch(trx, batch, token, now, MASS_SEND_MAX_RECIPIENTS));
        if (claimed.length === 0) break;
        let answer: { msgid: string; fail_list: string[] };
        try {
          answer = await wecom.addMsgTemplate({
            chatType: 'single',
            sender: batch.userid,
            externalUserids: claimed.map((c) => c.external_userid),
            text: batch.message,
          });
        } catch (err) {
          if (!certainlyNotSent(err)) throw err; // the claim stays; the lease sweep settles it
          if ((err as { permanent?: boolean }).permanent) {
            await failMassClaim(db, token, `wecom_${(err as WeComApiError).errcode}`);
            logger.warn({ err, userid: batch.userid }, 'WeCom refused a mass send permanently');
            break;
          }
          await releaseMassClaim(db, token);
          throw err;
        }
        await recordMassMsgid(db, token, answer.msgid, answer.fail_list);
        calls += 1;
        tasks += claimed.length;
        if (claimed.length < MASS_SEND_MAX_RECIPIENTS) break;
      }
    }
    return { calls, tasks, interrupted };
  }

  async poll(): Promise<{ polled: number; settled: number; reminded: number }> {
    const { db, clock, wecom, logger } = this.deps;
    const now = clock.now();
    const quiet = isQuiet(now, (await loadPressure(db)).quietHours);
    let settled = 0;
    let reminded = 0;
    const sends = await massSendsToPoll(db, POLLS_PER_RUN);
    for (const send of sends) {
      const outcomes: MassOutcome[] = [];
      let unconfirmed = 0;
      let cursor: string | undefined;
      do {
        const page = await wecom.getGroupMsgSendResult({
          msgid: send.mass_msgid,
          userid: send.userid,
          limit: RESULT_PAGE,
          ...(cursor ? { cursor } : {}),
        });
        for (const r of page.send_list) {
          if (!r.external_userid) continue;
          const known = RECIPIENT_STATUS[r.status];
          if (known) {
            const at = r.send_time ? new Date(r.send_time * 1000) : now;
            outcomes.push({
              externalUserid: r.external_userid,
              status: known.status,
              at,
              reason: known.reason,
            });
          } else if (now.getTime() > send.due_at.getTime() + MASS_SEND_GRACE_MS) {
            outcomes.push({
              externalUserid: r.external_userid,
              status: 'expired',
              at: now,
              reason: 'unconfirmed',
            });
          } else {
            unconfirmed += 1;
          }
        }
        cursor = page.next_cursor || undefined;
      } while (cursor);
      settled += await applyMassOutcomes(db, send.mass_msgid, send.userid, outcomes);
      if (unconfirmed > 0 && !send.reminded && !quiet && now.getTime() > send.due_at.getTime()) {
        try {
          await wecom.remindGroupMsgSend(send.mass_msgid);
        } catch (err) {
          // WeCom allows 3 reminders a day per msgid; one refused is not worth a retry loop
          if (!(err instanceof WeComApiError)) throw err;
          logger.warn({ err, msgid: send.mass_msgid }, 'remind_groupmsg_send refused');
        }
        await markMassReminded(db, send.mass_msgid, send.userid, now);
        reminded += 1;
      }
    }
    return { polled: sends.length, settled, reminded };
  }
}
