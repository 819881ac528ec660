import { md5Hex } from './ids.js';

export interface BehaviorDay {
  stat_time: number;
  chat_cnt: number;
  message_cnt: number;
  reply_percentage: number;
  avg_reply_time: number;
  negative_feedback_cnt: number;
  new_apply_cnt: number;
  new_contact_cnt: number;
}

export type BehaviorValues = Omit<BehaviorDay, 'stat_time'>;

const DAY_S = 86_400;
const CHINA_OFFSET_S = 8 * 3600;

/** Start of the China-time day containing `unixSeconds`, which WeCom uses as stat_time. */
export function chinaDayStart(unixSeconds: number): number {
  return Math.floor((unixSeconds + CHINA_OFFSET_S) / DAY_S) * DAY_S - CHINA_OFFSET_S;
}

export function chinaDayStartOfDate(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000);
}

export function daysBetween(startTime: number, endTime: number): number[] {
  const days: number[] = [];
  for (let day = chinaDayStart(startTime); day <= endTime; day += DAY_S) days.push(day);
  return days;
}

/** Deterministic pseudo-data: the same staff member and day always give the same numbers. */
export function pseudoBehavior(userid: string, statTime: number): BehaviorValues {
  const hash = Buffer.from(md5Hex(`${userid}|${statTime}`), 'hex');
  const byte = (i: number) => hash[i] ?? 0;
  const chatCnt = byte(0) % 31;
  const newApply = byte(5) % 11;
  return {
    chat_cnt: chatCnt,
    message_cnt: chatCnt * (2 + (byte(1) % 7)),
    reply_percentage: chatCnt === 0 ? 0 : Math.round((50 + (byte(2) % 51) + byte(3) / 256) * 100) / 100,
    avg_reply_time: chatCnt === 0 ? 0 : 1 + (byte(4) % 60),
    negative_feedback_cnt: byte(6) % 10 === 0 ? 1 : 0,
    new_apply_cnt: newApply,
    new_contact_cnt: newApply === 0 ? 0 : byte(7) % (newApply + 1),
  };
}

/** WeCom sums over the requested staff per day; rates are averaged. */
export function aggregate(statTime: number, perStaff: BehaviorValues[]): BehaviorDay {
  const sum = (key: keyof BehaviorValues) => perStaff.reduce((acc, v) => acc + v[key], 0);
  const n = Math.max(perStaff.length, 1);
  return {
    stat_time: statTime,
    chat_cnt: sum('chat_cnt'),
    message_cnt: sum('message_cnt'),
    reply_percentage: Math.round((sum('reply_percentage') / n) * 100) / 100,
    avg_reply_time: Math.round(sum('avg_reply_time') / n),
    negative_feedback_cnt: sum('negative_feedback_cnt'),
    new_apply_cnt: sum('new_apply_cnt'),
    new_contact_cnt: sum('new_contact_cnt'),
  };
}
