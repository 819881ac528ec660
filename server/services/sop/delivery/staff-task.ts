import type { Role } from '../../../../shared/api.js';
import { formatShanghaiMinute, type SopTask, type TaskListQuery } from '../../../../shared/sop.js';
import type { Db } from '../../../db/database.js';
import { AppError, forbidden, notFound } from '../../../errors.js';
import type { Clock } from '../../../infra/clock.js';
import type { Logger } from '../../../infra/logger.js';
import {
  claimDigestSlot,
  claimDigestTasks,
  countOpenTasks,
  type DigestTask,
  expireStaleTasks,
  openTasksOf,
  reassignLostTasks,
  releaseDigestTasks,
  restoreDigestSlot,
  staffAwaitingDigest,
} from '../../../repositories/sop-delivery.js';
import {
  findTaskView,
  listTaskViews,
  markTaskSent,
  skipTask,
  type TaskView,
} from '../../../repositories/sop-tasks.js';
import type { SopWeCom } from '../ports.js';
import { isQuiet, loadPressure } from '../pressure.js';
import { DAY_MS, HOUR_MS } from '../time.js';

export interface Actor {
  userid: string;
  role: Role;
}

/** At most one reminder digest per salesperson per hour. */
export const DIGEST_INTERVAL_MS = HOUR_MS;
/** Staff tasks still unsent this long after their due time expire. */
export const UNSENT_EXPIRY_MS = 7 * DAY_MS;
/** A lost relation is looked for this far back, so a missed sweep loses nothing. */
const LOST_LOOKBACK_MS = DAY_MS;
/** Task lines in one textcard (WeCom cuts descriptions at 512 bytes). */
const DIGEST_LINES = 3;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const isLead = (a: Actor) => a.role === 'supervisor' || a.role === 'admin';

export function toApiTask(t: TaskView, now: Date): SopTask {
  return {
    id: Number(t.id),
    ruleId: Number(t.rule_id),
    ruleName: t.rule_name,
    trigger: t.trigger,
    externalUserid: t.external_userid,
    customerName: t.customer_name,
    userid: t.userid,
    staffName: t.staff_name || t.userid,
    variant: t.variant,
    message: t.message,
    reason: t.reason,
    deliveryMode: t.delivery_mode,
    status: t.status,
    overdue: t.status === 'pending' && t.due_at.getTime() < now.getTime(),
    dueAt: t.due_at.toISOString(),
    createdAt: t.created_at.toISOString(),
    notifiedAt: iso(t.notified_at),
    sentAt: iso(t.sent_at),
    skippedReason: t.skipped_reason,
    failureReason: t.failure_reason,
    convertedAt: iso(t.converted_at),
    revenueFen: Number(t.revenue_fen),
  };
}

/**
 * staff_task delivery: the salesperson's task list, completing or skipping a task from the
 * sidebar, and the reminder digests (WeCom app textcards linking to `${PUBLIC_URL}/tasks/<id>`).
 */
export class StaffTasks {
  constructor(
    private readonly deps: { db: Db; clock: Clock; wecom: SopWeCom; publicUrl: string; logger: Logger },
  ) {}

  async list(actor: Actor, q: TaskListQuery) {
    if (q.scope === 'team' && !isLead(actor)) throw forbidden('only supervisors see the team’s tasks');
    const now = this.deps.clock.now();
    const userid = q.scope === 'mine' ? actor.userid : q.userid;
    const statuses = q.status.flatMap((s) => (s === 'open' ? ['pending'] : s === 'overdue' ? [] : [s]));
    const rows = await listTaskViews(this.deps.db, {
      ...(userid ? { userid } : {}),
      ...(q.externalUserid ? { externalUserid: q.externalUserid } : {}),
      statuses,
      ...(q.status.includes('overdue') ? { overdueAt: now } : {}),
      ...(q.before ? { before: q.before } : {}),
      limit: q.limit,
    });
    const pressure = await loadPressure(this.deps.db);
    return {
      tasks: rows.map((r) => toApiTask(r, now)),
      nextCursor: rows.length === q.limit ? Number(rows[rows.length - 1]!.id) : null,
      quietNow: isQuiet(now, pressure.quietHours),
    };
  }

  async get(actor: Actor, id: number): Promise<SopTask> {
    return toApiTask(await this.#visible(actor, id), this.deps.clock.now());
  }

  /** The sidebar sent the message into the chat (sendChatMessage): pending → sent. Idempotent. */
  async markSent(actor: Actor, id: number): Promise<SopTask> {
    const task = await this.#visible(actor, id);
    if (task.delivery_mode !== 'staff_task') {
      throw new AppError('conflict', 'a mass-send task is confirmed in WeCom, not here');
    }
    const now = this.deps.clock.now();
    if (task.status === 'pending') {
      await this.deps.db
        .transaction()
        .execute((trx) => markTaskSent(trx, Number(task.id), actor.userid, now));
    }
    const after = await this.#visible(actor, id);
    if (after.status !== 'sent' && after.status !== 'done') {
      throw new AppError('conflict', `the task is ${after.status}`);
    }
    return toApiTask(after, now);
  }

  async skip(actor: Actor, id: number, reason: string): Promise<SopTask> {
    const task = await this.#visible(actor, id);
    const now = this.deps.clock.now();
    if (task.status === 'pending') {
      await this.deps.db
        .transaction()
        .execute((trx) => skipTask(trx, Number(task.id), actor.userid, reason, now));
    }
    const after = await this.#visible(actor, id);
    if (after.status !== 'skipped') throw new AppError('conflict', `the task is ${after.status}`);
    return toApiTask(after, now);
  }

  async #visible(actor: Actor, id: number): Promise<TaskView> {
    const task = Number.isSafeInteger(id) ? await findTaskView(this.deps.db, id) : undefined;
    if (!task) throw notFound('task');
    if (task.userid !== actor.userid && !isLead(actor))
      throw forbidden('this task belongs to another salesperson');
    return task;
  }

  /**
   * The reminder job: reassigns tasks whose relation was lost, expires dead ones, then sends each
   * salesperson at most one digest per hour of new and newly overdue tasks. Nothing is reminded in
   * quiet hours. A digest that fails to send is rolled back and retried by the job.
   */
  async remind(): Promise<{ reassigned: number; expired: number; digests: number }> {
    const { db, clock, logger } = this.deps;
    const now = clock.now();
    const reassigned = await reassignLostTasks(db, new Date(now.getTime() - LOST_LOOKBACK_MS));
    const expired = await expireStaleTasks(db, now, new Date(now.getTime() - UNSENT_EXPIRY_MS));
    const pressure = await loadPressure(db);
    if (isQuiet(now, pressure.quietHours)) return { reassigned: reassigned.length, expired, digests: 0 };
    let digests = 0;
    let failure: unknown;
    for (const userid of await staffAwaitingDigest(db, now)) {
      const claim = await db.transaction().execute(async (trx) => {
        const previous = await claimDigestSlot(trx, userid, now, DIGEST_INTERVAL_MS);
        if (previous === undefined) return undefined;
        return { previous, tasks: await claimDigestTasks(trx, userid, now) };
      });
      if (!claim || claim.tasks.length === 0) continue;
      try {
        await this.deps.wecom.sendAppMessage({ touser: [userid], ...this.#digest(claim.tasks, now) });
        digests += 1;
      } catch (err) {
        logger.warn({ err, userid }, 'SOP reminder digest failed; rolled back for a retry');
        await db.transaction().execute(async (trx) => {
          await releaseDigestTasks(
            trx,
            claim.tasks.map((t) => Number(t.id)),
            now,
          );
          await restoreDigestSlot(trx, userid, claim.previous);
        });
        failure ??= err;
      }
    }
    if (failure) throw failure;
    return { reassigned: reassigned.length, expired, digests };
  }

  #digest(tasks: DigestTask[], now: Date) {
    const fresh = tasks.filter((t) => t.fresh).length;
    const overdue = tasks.filter((t) => t.overdue).length;
    const sorted = [...tasks].sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
    const first = sorted[0]!;
    const headline = [fresh ? `新任务 ${fresh} 条` : '', overdue ? `已逾期 ${overdue} 条` : '']
      .filter(Boolean)
      .join('，');
    const lines = sorted
      .slice(0, DIGEST_LINES)
      .map(
        (t) =>
          `<div class="${t.overdue ? 'highlight' : 'normal'}">${escapeHtml(t.customer_name || '客户')} · ${escapeHtml(t.rule_name)} · ${t.overdue ? '已逾期' : `截止 ${formatShanghaiMinute(t.due_at)}`}</div>`,
      );
    if (sorted.length > DIGEST_LINES) lines.push(`<div class="gray">…共 ${sorted.length} 条</div>`);
    return {
      msgtype: 'textcard' as const,
      textcard: {
        title: 'SOP任务提醒',
        description: [
          `<div class="gray">${formatShanghaiMinute(now)}</div>`,
          `<div class="normal">${headline}</div>`,
          ...lines,
        ].join(''),
        url: `${this.deps.publicUrl}/tasks/${Number(first.id)}`,
        btntxt: '去处理',
      },
    };
  }

  /** The bot's answer to 任务/tasks: the salesperson's open tasks as plain text. */
  async openTasksText(userid: string): Promise<string> {
    const now = this.deps.clock.now();
    const { open, overdue } = await countOpenTasks(this.deps.db, userid, now);
    if (open === 0) return '你目前没有待处理的SOP任务。';
    const rows = await openTasksOf(this.deps.db, userid, 10);
    const lines = rows.map((t, i) => {
      const late = t.due_at.getTime() < now.getTime();
      return `${i + 1}. ${t.customer_name || '客户'} · ${t.rule_name} · ${late ? '已逾期' : `截止 ${formatShanghaiMinute(t.due_at)}`}`;
    });
    return [
      `你有 ${open} 条待处理的SOP任务${overdue ? `（${overdue} 条已逾期）` : ''}：`,
      ...lines,
      ...(open > rows.length ? [`…另有 ${open - rows.length} 条`] : []),
      `处理：${this.deps.publicUrl}/tasks`,
    ].join('\n');
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
