import type { GrowthReport, ReportRange } from '../../../../shared/sop.js';
import type { Db } from '../../../db/database.js';
import { churnMonths, growthDays, serviceDays } from '../../../repositories/sop-reports.js';
import { shanghaiDayStart } from '../time.js';
import { instants } from './range.js';

/** Calendar months (Asia/Shanghai) overlapping the range, each ending at its end or now. */
export function monthsOf(range: ReportRange, now: Date) {
  const out: Array<{ month: string; start: Date; end: Date }> = [];
  let [y, m] = range.from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = range.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) break;
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const start = shanghaiDayStart(`${month}-01`);
    const end = shanghaiDayStart(`${next}-01`);
    if (start.getTime() < now.getTime()) out.push({ month, start, end: end < now ? end : now });
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}

/** Customer growth and churn, and WeCom's service figures — REPORT_DEFINITIONS.growth. */
export async function growthReport(
  db: Db,
  range: ReportRange,
  now: Date,
  churnAlertRate: number,
): Promise<GrowthReport> {
  const days = (await growthDays(db, instants(range))).map((r) => ({
    day: r.day,
    userid: r.userid,
    name: r.name,
    added: r.added,
    deletedByStaff: r.deleted_by_staff,
    deletedByCustomer: r.deleted_by_customer,
    net: r.added - r.deleted_by_staff - r.deleted_by_customer,
  }));
  const totals = { added: 0, deletedByStaff: 0, deletedByCustomer: 0, net: 0 };
  for (const d of days) {
    totals.added += d.added;
    totals.deletedByStaff += d.deletedByStaff;
    totals.deletedByCustomer += d.deletedByCustomer;
    totals.net += d.net;
  }
  const months = (await churnMonths(db, monthsOf(range, now))).map((m) => {
    const churnRate = m.base > 0 ? Math.round((m.deleted_by_customer / m.base) * 10_000) / 10_000 : null;
    return {
      month: m.month,
      base: m.base,
      deletedByCustomer: m.deleted_by_customer,
      churnRate,
      alert: churnRate !== null && churnRate > churnAlertRate,
    };
  });
  const service = (await serviceDays(db, range.from, range.to)).map((s) => ({
    day: s.day,
    userid: s.userid,
    name: s.name,
    chats: s.chat_cnt,
    messages: s.message_cnt,
    replyPercentage: s.reply_percentage,
    avgFirstReplyMinutes: s.avg_reply_time,
    negativeFeedback: s.negative_feedback_cnt,
  }));
  return { from: range.from, to: range.to, days, totals, months, churnAlertRate, service };
}
