import type { Customer360 } from '../../../shared/customer.js';
import { daysSince } from './time.js';

/** Chinese labels and badges for the customer header. */

type Stage = Customer360['stats']['lifecycleStage'];
export type Tone = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export const LIFECYCLE_LABELS: Record<Stage, { label: string; tone: Tone }> = {
  new: { label: '新客', tone: 'primary' },
  active: { label: '活跃', tone: 'success' },
  silent: { label: '沉默', tone: 'default' },
  churn_risk: { label: '流失风险', tone: 'warning' },
  lost: { label: '已流失', tone: 'danger' },
};

export function lifecycleBadge(stage: Stage): { label: string; tone: Tone } {
  return LIFECYCLE_LABELS[stage] ?? { label: stage, tone: 'default' };
}

/**
 * Intent from the decayed behaviour score (server/services/customers/definitions.ts: a cart add
 * weighs 3, a product view 1, halved every 3 days): 高 from 6 (e.g. two fresh cart adds), 中 from 2
 * (e.g. a cart add, or a few recent views), 低 below.
 */
export const INTENT_HIGH = 6;
export const INTENT_MEDIUM = 2;

export function intentBadge(score: number): { level: '高' | '中' | '低'; label: string; tone: Tone } {
  if (score >= INTENT_HIGH) return { level: '高', label: '高意向', tone: 'danger' };
  if (score >= INTENT_MEDIUM) return { level: '中', label: '中意向', tone: 'warning' };
  return { level: '低', label: '低意向', tone: 'default' };
}

export function contactTypeBadge(
  type: Customer360['profile']['type'],
): { label: string; wecom: boolean } | null {
  if (type === 'wechat') return { label: '微信', wecom: false };
  if (type === 'wecom') return { label: '企业微信', wecom: true };
  return null;
}

/** The requester's own remark for the customer, if they follow them. */
export function myRemark(view: Pick<Customer360, 'followers'>): string {
  return view.followers.find((f) => f.isMe)?.remark ?? '';
}

export interface StatCard {
  label: string;
  value: string;
  hint?: string;
}

/** 距上次互动: "今天" / "N 天" / "—". */
export function interactionGap(lastInteractionAt: string | null, now: Date): string {
  if (!lastInteractionAt) return '—';
  const days = daysSince(lastInteractionAt, now);
  return days === 0 ? '今天' : `${days} 天`;
}

/** A coupon counts as expiring when less than 24 h are left. */
export const EXPIRING_MS = 24 * 3_600_000;

export function couponExpiring(expiresAt: string, now: Date): boolean {
  const left = Date.parse(expiresAt) - now.getTime();
  return left > 0 && left < EXPIRING_MS;
}

/** "还剩 5 小时" / "还剩 3 天" */
export function timeLeft(expiresAt: string, now: Date): string {
  const left = Date.parse(expiresAt) - now.getTime();
  if (!(left > 0)) return '已过期';
  const hours = Math.floor(left / 3_600_000);
  if (hours < 1) return `还剩 ${Math.max(1, Math.floor(left / 60_000))} 分钟`;
  if (hours < 24) return `还剩 ${hours} 小时`;
  return `还剩 ${Math.floor(hours / 24)} 天`;
}

/** staff userid → name, from the followers of the customer (and the requester). */
export function staffNames(
  view: Pick<Customer360, 'followers'> | null,
  me?: { userid: string; name: string },
) {
  const names = new Map<string, string>();
  for (const f of view?.followers ?? []) if (f.name) names.set(f.userid, f.name);
  if (me?.name) names.set(me.userid, me.name);
  return (userid: string) => names.get(userid) || userid;
}
