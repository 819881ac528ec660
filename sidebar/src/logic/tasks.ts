import type { SopTask, TaskStatus } from '../../../shared/sop.js';
import { shanghaiDay } from './time.js';

/** SOP tasks as the salesperson sees them: what is overdue, what is due today, what comes later. */

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  pending: '待发送',
  sent: '已发送',
  done: '已完成',
  skipped: '已跳过',
  failed: '发送失败',
  expired: '已过期',
};

export const TRIGGER_LABELS: Record<string, string> = {
  high_intent: '高意向',
  churn_risk: '流失召回',
  coupon_expiry: '券到期',
};

/** The reasons offered when skipping a task (a free reason can be typed too). */
export const SKIP_REASONS = ['客户近期已沟通', '客户明确拒绝', '信息不适用', '稍后人工跟进', '其他'];

export interface TaskBuckets<T> {
  overdue: T[];
  today: T[];
  later: T[];
  /** sent/done/skipped… kept for the highlighted task of an app message */
  closed: T[];
}

/** Splits tasks by due time against now (Shanghai days), each bucket soonest due first. */
export function bucketTasks<T extends Pick<SopTask, 'status' | 'dueAt'>>(
  tasks: readonly T[],
  now: Date,
): TaskBuckets<T> {
  const today = shanghaiDay(now);
  const out: TaskBuckets<T> = { overdue: [], today: [], later: [], closed: [] };
  for (const t of tasks) {
    if (t.status !== 'pending') out.closed.push(t);
    else if (Date.parse(t.dueAt) < now.getTime()) out.overdue.push(t);
    else if (shanghaiDay(t.dueAt) === today) out.today.push(t);
    else out.later.push(t);
  }
  const byDue = (a: T, b: T) => Date.parse(a.dueAt) - Date.parse(b.dueAt);
  out.overdue.sort(byDue);
  out.today.sort(byDue);
  out.later.sort(byDue);
  return out;
}

/** A task that can still be sent or skipped. */
export function isOpen(task: Pick<SopTask, 'status'>): boolean {
  return task.status === 'pending';
}

/** Replaces a task in a list by id (the answer of /sent or /skip), keeping the order. */
export function replaceTask<T extends { id: number }>(tasks: readonly T[], next: T): T[] {
  return tasks.map((t) => (t.id === next.id ? next : t));
}

/** `/tasks/:id` → the id to highlight, or undefined. */
export function highlightedTaskId(param: unknown): number | undefined {
  const raw = Array.isArray(param) ? param[0] : param;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** What a task card needs: a customer's open task (customer payload) or a task of /api/tasks. */
export interface TaskItem {
  id: number;
  ruleName: string;
  message: string;
  status: TaskStatus;
  dueAt: string;
  trigger?: string;
  customerName?: string;
  externalUserid?: string;
  skippedReason?: string | null;
  /** the salesperson the task belongs to */
  userid?: string;
}

/** 截止 10:00 / 截止 明天 10:00 / 已逾期 2 小时 */
export function dueText(
  task: Pick<TaskItem, 'dueAt' | 'status'>,
  now: Date,
): { text: string; overdue: boolean } {
  const due = Date.parse(task.dueAt);
  if (Number.isNaN(due)) return { text: '', overdue: false };
  if (task.status === 'pending' && due < now.getTime()) {
    const hours = Math.floor((now.getTime() - due) / 3_600_000);
    return {
      text:
        hours >= 24 ? `已逾期 ${Math.floor(hours / 24)} 天` : hours >= 1 ? `已逾期 ${hours} 小时` : '已逾期',
      overdue: true,
    };
  }
  const day = shanghaiDay(task.dueAt);
  const today = shanghaiDay(now);
  const tomorrow = shanghaiDay(new Date(now.getTime() + 86_400_000));
  const time = new Date(due + 8 * 3_600_000).toISOString().slice(11, 16);
  const when = day === today ? time : day === tomorrow ? `明天 ${time}` : `${day.slice(5)} ${time}`;
  return { text: `截止 ${when}`, overdue: false };
}
