import type { ReportRange, TaskReport } from '../../../../shared/sop.js';
import type { Db } from '../../../db/database.js';
import { taskDays } from '../../../repositories/sop-reports.js';
import { rate } from './definitions.js';
import { instants } from './range.js';

type Figures = Omit<TaskReport['totals'], 'completionRate'>;
const zero = (): Figures => ({ assigned: 0, sent: 0, onTime: 0, overdue: 0, skipped: 0 });
const addInto = (a: Figures, b: Figures) => {
  a.assigned += b.assigned;
  a.sent += b.sent;
  a.onTime += b.onTime;
  a.overdue += b.overdue;
  a.skipped += b.skipped;
};
const withRate = <T extends Figures>(f: T) => ({ ...f, completionRate: rate(f.sent, f.assigned) });

/** 今日运营任务 / 员工发送率排行 — REPORT_DEFINITIONS.tasks. */
export async function taskReport(db: Db, range: ReportRange, now: Date): Promise<TaskReport> {
  const rows = await taskDays(db, instants(range), now);
  const days = rows.map((r) =>
    withRate({
      day: r.day,
      userid: r.userid,
      name: r.name,
      assigned: r.assigned,
      sent: r.sent,
      onTime: r.on_time,
      overdue: r.overdue,
      skipped: r.skipped,
    }),
  );
  const byStaff = new Map<string, Figures & { name: string }>();
  const totals = zero();
  for (const d of days) {
    const s = byStaff.get(d.userid) ?? { ...zero(), name: d.name };
    addInto(s, d);
    addInto(totals, d);
    byStaff.set(d.userid, s);
  }
  const staff = [...byStaff.entries()]
    .map(([userid, s]) => withRate({ userid, ...s }))
    .sort((a, b) => b.completionRate - a.completionRate || b.sent - a.sent || (a.userid < b.userid ? -1 : 1))
    .map((s, i) => ({ ...s, rank: i + 1 }));
  return { from: range.from, to: range.to, days, staff, totals: withRate(totals) };
}
