import { sql } from 'kysely';
import { formatYuan } from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { deleteSetting, getSetting, putSetting } from '../../repositories/settings.js';
import { conversionsBetween, overdueByStaff } from '../../repositories/sop-reports.js';
import type { StaffTasks } from './delivery/staff-task.js';
import type { SopWeCom } from './ports.js';
import { loadReportSettings, type SopReports } from './reports/index.js';
import { addDays, parseClockTime, shanghaiDay, shanghaiDayStart, shanghaiMinuteOfDay } from './time.js';

/** The day of the last daily report, so each day's goes out once however often the job runs. */
const LAST_REPORT_SETTING = 'sop.daily_report.last_day';
/** WeCom's markdown robot messages carry at most 4,096 bytes. */
const ROBOT_MARKDOWN_BYTES = 4096;
const STAFF_LINES = 15;
const TASK_COMMANDS = new Set(['任务', 'tasks', 'task', '我的任务']);

function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = text;
  while (Buffer.byteLength(`${out}\n…`) > max) out = out.slice(0, out.lastIndexOf('\n'));
  return `${out}\n…`;
}

/**
 * The bot side: the supervisors' daily robot report (markdown, at the `dailyReportTime` setting),
 * and answers to staff who message the app `任务` / `tasks`.
 */
export class SopBot {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      wecom: SopWeCom;
      botWebhookKey: string | undefined;
      tasks: StaffTasks;
      reports: SopReports;
      logger: Logger;
    },
  ) {}

  /**
   * Runs every few minutes; sends today's report once the configured time has passed. The day is
   * claimed before sending and released if sending fails, so two schedulers never send it twice.
   */
  async dailyReport(): Promise<{ sent: boolean; reason?: string }> {
    const { db, clock, wecom } = this.deps;
    if (!this.deps.botWebhookKey) return { sent: false, reason: 'no robot webhook key configured' };
    const now = clock.now();
    const settings = await loadReportSettings(db);
    if (shanghaiMinuteOfDay(now) < parseClockTime(settings.dailyReportTime))
      return { sent: false, reason: 'not yet' };
    const today = shanghaiDay(now);
    const previous = await getSetting<string | null>(db, LAST_REPORT_SETTING, null);
    const claimed = await sql<{ key: string }>`
      INSERT INTO settings (key, value, updated_at) VALUES (${LAST_REPORT_SETTING}, ${JSON.stringify(today)}::jsonb, ${now}::timestamptz)
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
        WHERE settings.value IS DISTINCT FROM EXCLUDED.value
      RETURNING key`.execute(db);
    if (claimed.rows.length === 0) return { sent: false, reason: 'already sent today' };
    try {
      const content = await this.dailyMarkdown(today, now, settings.churnAlertRate);
      await wecom.sendRobotMessage(this.deps.botWebhookKey, { msgtype: 'markdown', markdown: { content } });
      return { sent: true };
    } catch (err) {
      if (previous === null) await deleteSetting(db, LAST_REPORT_SETTING);
      else await putSetting(db, LAST_REPORT_SETTING, previous, now);
      throw err;
    }
  }

  async dailyMarkdown(day: string, now: Date, churnAlertRate: number): Promise<string> {
    const { db, reports } = this.deps;
    const range = { from: day, to: day };
    const tasks = await reports.tasks(range);
    const overdue = await overdueByStaff(db, now);
    const conversions = await conversionsBetween(db, {
      from: shanghaiDayStart(day),
      toEnd: shanghaiDayStart(addDays(day, 1)),
    });
    const growth = await reports.growth({ from: `${day.slice(0, 7)}-01`, to: day });
    const month = growth.months.at(-1);
    const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
    const lines = [
      `## 私域SOP日报 · ${day}`,
      '',
      `**任务完成**（已发送/分配，共 ${tasks.totals.sent}/${tasks.totals.assigned}）`,
    ];
    if (tasks.staff.length === 0) lines.push('> 今日没有新任务');
    for (const s of tasks.staff.slice(0, STAFF_LINES)) {
      lines.push(
        `> ${s.rank}. ${s.name}：${s.sent}/${s.assigned}（${pct(s.completionRate)}）${s.overdue ? `，逾期 ${s.overdue}` : ''}`,
      );
    }
    const overdueTotal = overdue.reduce((n, o) => n + o.overdue, 0);
    lines.push(
      '',
      `**逾期未处理**：${overdueTotal} 条${
        overdueTotal
          ? `（${overdue
              .slice(0, STAFF_LINES)
              .map((o) => `${o.name} ${o.overdue}`)
              .join('，')}）`
          : ''
      }`,
      `**今日转化**：${conversions.converted} 单，¥${formatYuan(conversions.revenueFen)}`,
    );
    if (month?.churnRate !== null && month?.churnRate !== undefined) {
      lines.push(
        month.alert
          ? `<font color="warning">**流失预警**：${month.month} 客户删除率 ${pct(month.churnRate)}，超过 ${pct(churnAlertRate)} 警戒线</font>`
          : `**本月流失率**：${pct(month.churnRate)}（警戒线 ${pct(churnAlertRate)}）`,
      );
    }
    return fitBytes(lines.join('\n'), ROBOT_MARKDOWN_BYTES);
  }

  /** A staff member's text to the app: `任务` / `tasks` answers their open tasks. */
  async staffMessage(message: { FromUserName: string; Content: string }): Promise<{ answered: boolean }> {
    const command = message.Content.trim().toLowerCase();
    if (!TASK_COMMANDS.has(command)) return { answered: false };
    const content = await this.deps.tasks.openTasksText(message.FromUserName);
    await this.deps.wecom.sendAppMessage({
      touser: [message.FromUserName],
      msgtype: 'text',
      text: { content },
    });
    return { answered: true };
  }
}
