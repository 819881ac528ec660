import {
  ACTOR_CUSTOMER,
  ACTOR_SYSTEM,
  type TimelineEntry,
  type TimelineKind,
} from '../../../shared/timeline.js';
import type { IconName } from '../ui/icons.js';
import { formatMoney } from './money.js';
import { dayLabel, shanghaiDateTime, shanghaiDay, shanghaiTime } from './time.js';

/** One readable Chinese line per timeline entry, and the day grouping of the timeline. */

export type LineTone = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export interface TimelineLine {
  icon: IconName;
  tone: LineTone;
  text: string;
  /** a second line (a note's text, the message that was sent, …) */
  detail?: string;
}

export interface LineContext {
  /** staff userid → display name */
  staffName(userid: string): string;
}

/** What behaviour events (`eventKind` of ingest events) mean to a salesperson. */
export const BEHAVIOR_LABELS: Record<string, string> = {
  product_view: '浏览商品',
  cart_add: '加入购物车',
  checkout_start: '发起结算',
  order_page_view: '查看订单',
  member_center_visit: '访问会员中心',
  coupon_view: '查看优惠券',
  search: '搜索',
  share: '分享',
  live_view: '观看直播',
};

const SKIP_REASON_LABELS: Record<string, string> = {
  frequency_cap: '触达频次已达上限',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const quoted = (name: string) => (name ? `「${name}」` : '');

/** The thing a behaviour event was about: a product name, a search keyword, a page title. */
function behaviorSubject(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as Record<string, unknown>;
  for (const key of ['productName', 'product', 'name', 'title', 'keyword', 'query', 'sku']) {
    const v = str(d[key]).trim();
    if (v) return v.length > 40 ? `${v.slice(0, 40)}…` : v;
  }
  return '';
}

type Renderer = (d: Record<string, unknown>, actor: string, ctx: LineContext) => TimelineLine;

/** The staff member an entry is about: its `userid`, else a staff actor; 员工 when neither is known. */
const staffOf = (d: Record<string, unknown>, actor: string, ctx: LineContext) => {
  const userid = str(d.userid) || (actor === ACTOR_SYSTEM || actor === ACTOR_CUSTOMER ? '' : actor);
  return userid ? ctx.staffName(userid) : '员工';
};

const RENDERERS: Record<TimelineKind, Renderer> = {
  contact_added: (d, a, ctx) => {
    const state = str(d.state);
    const via = state ? `（渠道 ${state}）` : '';
    return d.half === true
      ? { icon: 'user-add', tone: 'primary', text: `客户添加了 ${staffOf(d, a, ctx)}，待通过${via}` }
      : { icon: 'user-add', tone: 'success', text: `${staffOf(d, a, ctx)} 添加了客户${via}` };
  },
  contact_edited: (d, a, ctx) => {
    const remark = str(d.remark);
    return {
      icon: 'edit',
      tone: 'default',
      text: remark ? `${staffOf(d, a, ctx)} 修改备注为「${remark}」` : `${staffOf(d, a, ctx)} 编辑了客户资料`,
      ...(str(d.description) ? { detail: str(d.description) } : {}),
    };
  },
  contact_deleted_by_staff: (d, a, ctx) => ({
    icon: 'user-remove',
    tone: 'warning',
    text: `${staffOf(d, a, ctx)} 删除了客户`,
  }),
  contact_deleted_by_customer: (d, a, ctx) => ({
    icon: 'alert',
    tone: 'danger',
    text: `客户删除了 ${staffOf(d, a, ctx)}（单删）`,
  }),
  contact_transferred: (d, a, ctx) =>
    d.failed === true
      ? {
          icon: 'swap',
          tone: 'warning',
          text: `转接给 ${staffOf(d, a, ctx)} 失败`,
          ...(str(d.reason) ? { detail: str(d.reason) } : {}),
        }
      : { icon: 'swap', tone: 'default', text: `客户已从 ${staffOf(d, a, ctx)} 转接（继承）` },
  group_joined: (d) => ({
    icon: 'chat',
    tone: 'primary',
    text: `加入群聊${quoted(str(d.groupName)) || '「未命名群」'}`,
  }),
  group_left: (d) => ({
    icon: 'chat',
    tone: 'warning',
    text: `退出群聊${quoted(str(d.groupName)) || '「未命名群」'}`,
  }),
  tag_added: (d, a, ctx) => ({
    icon: 'tag',
    tone: 'primary',
    text: `${staffOf(d, a, ctx)} 添加标签${quoted(str(d.tagName) || str(d.tagId))}`,
  }),
  tag_removed: (d, a, ctx) => ({
    icon: 'tag',
    tone: 'default',
    text: `${staffOf(d, a, ctx)} 移除标签${quoted(str(d.tagName) || str(d.tagId))}`,
  }),
  order_paid: (d) => {
    const items = num(d.itemCount);
    return {
      icon: 'cart',
      tone: 'success',
      text: `下单 ${formatMoney(num(d.amountFen))}${items ? `（${items} 件）` : ''}`,
      ...(str(d.orderId) ? { detail: `订单号 ${str(d.orderId)}` } : {}),
    };
  },
  order_refunded: (d) => ({
    icon: 'refund',
    tone: 'danger',
    text: `退款 ${formatMoney(num(d.amountFen))}`,
    ...(str(d.orderId) ? { detail: `订单号 ${str(d.orderId)}` } : {}),
  }),
  coupon_issued: (d) => {
    const value = num(d.valueFen);
    const expires = str(d.expiresAt);
    return {
      icon: 'coupon',
      tone: 'primary',
      text: `获得优惠券${quoted(str(d.name))}${value !== undefined ? ` ${formatMoney(value)}` : ''}`,
      ...(expires ? { detail: `${shanghaiDateTime(expires)} 到期` } : {}),
    };
  },
  coupon_used: (d) => ({ icon: 'coupon', tone: 'success', text: `使用了优惠券${quoted(str(d.name))}` }),
  coupon_expired: (d) => ({ icon: 'coupon', tone: 'default', text: `优惠券${quoted(str(d.name))}已过期` }),
  behavior: (d) => {
    const kind = str(d.eventKind);
    const subject = behaviorSubject(d.data);
    return {
      icon: kind === 'cart_add' || kind === 'checkout_start' ? 'cart' : 'eye',
      tone: kind === 'cart_add' || kind === 'checkout_start' ? 'warning' : 'default',
      text: `${BEHAVIOR_LABELS[kind] ?? (kind || '互动')}${quoted(subject)}`,
    };
  },
  note: (d, a, ctx) => {
    const status = str(d.followStatus);
    const remind = str(d.remindAt);
    return {
      icon: 'note',
      tone: 'primary',
      text: `${staffOf(d, a, ctx)} 添加跟进${status ? `（${status}）` : ''}`,
      detail: [str(d.text), remind ? `提醒：${shanghaiDateTime(remind)}` : ''].filter(Boolean).join('\n'),
    };
  },
  sop_task_created: (d, a, ctx) => ({
    icon: 'task',
    tone: 'primary',
    text: `SOP${quoted(str(d.ruleName))}生成任务，待 ${staffOf(d, a, ctx)} 发送`,
  }),
  sop_message_sent: (d, a, ctx) => ({
    icon: 'check',
    tone: 'success',
    text: `${staffOf(d, a, ctx)} 发送了 SOP${quoted(str(d.ruleName))}消息`,
    ...(str(d.message) ? { detail: str(d.message) } : {}),
  }),
  sop_task_skipped: (d, a, ctx) => {
    const reason = str(d.reason);
    if (reason in SKIP_REASON_LABELS) {
      return {
        icon: 'skip',
        tone: 'default',
        text: `SOP${quoted(str(d.ruleName))}未触达：${SKIP_REASON_LABELS[reason]}`,
      };
    }
    return {
      icon: 'skip',
      tone: 'default',
      text: `${staffOf(d, a, ctx)} 跳过了 SOP${quoted(str(d.ruleName))}`,
      ...(reason ? { detail: `原因：${reason}` } : {}),
    };
  },
};

export function timelineLine(
  entry: Pick<TimelineEntry, 'kind' | 'actor' | 'data'>,
  ctx: LineContext,
): TimelineLine {
  const render = RENDERERS[entry.kind];
  if (!render) return { icon: 'info', tone: 'default', text: entry.kind };
  return render(entry.data ?? {}, entry.actor, ctx);
}

export interface TimelineDay<E> {
  /** `YYYY-MM-DD` in Shanghai */
  day: string;
  /** 今天 / 昨天 / 3月5日 */
  label: string;
  entries: Array<E & { time: string }>;
}

/** Groups newest-first entries by Shanghai day, keeping their order; each entry gains its `HH:mm`. */
export function groupByDay<E extends { occurredAt: string }>(
  entries: readonly E[],
  now: Date,
): TimelineDay<E>[] {
  const days: TimelineDay<E>[] = [];
  for (const entry of entries) {
    const day = shanghaiDay(entry.occurredAt);
    let group = days.at(-1);
    if (!group || group.day !== day) {
      group = { day, label: dayLabel(day, now), entries: [] };
      days.push(group);
    }
    group.entries.push({ ...entry, time: shanghaiTime(entry.occurredAt) });
  }
  return days;
}

/** Appends a page, dropping entries already shown (a retried or overlapping page). */
export function appendPage<E extends { id: string }>(shown: readonly E[], page: readonly E[]): E[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
}
