import type { NoteInput } from '../../../shared/customer.js';
import { shanghaiLocalToIso } from './time.js';

/** The follow-up form (跟进): what it offers and how it becomes a POST …/notes body. */

export const FOLLOW_STATUSES = ['已沟通', '待回访', '有意向', '已成交', '暂无意向'];

export interface NoteDraft {
  text: string;
  followStatus?: string | undefined;
  /** `YYYY-MM-DDTHH:mm` from the datetime input, Shanghai wall time */
  remindLocal?: string | undefined;
}

export type NoteCheck = { ok: true; input: NoteInput } | { ok: false; message: string };

export function noteInput(draft: NoteDraft, now: Date): NoteCheck {
  const text = draft.text.trim();
  if (!text) return { ok: false, message: '请填写跟进内容' };
  if (text.length > 2000) return { ok: false, message: '跟进内容最多 2000 字' };
  const input: NoteInput = { text };
  if (draft.followStatus) input.followStatus = draft.followStatus;
  if (draft.remindLocal) {
    const iso = shanghaiLocalToIso(draft.remindLocal);
    if (!iso) return { ok: false, message: '提醒时间格式不对' };
    const at = Date.parse(iso);
    if (at <= now.getTime()) return { ok: false, message: '提醒时间要晚于现在' };
    if (at > now.getTime() + 365 * 86_400_000) return { ok: false, message: '提醒时间最多一年以内' };
    input.remindAt = iso;
  }
  return { ok: true, input };
}
