import { fillVariables, type QuickReply, type RenderedQuickReply } from '../../../shared/quick-replies.js';
import type { ChatMessage } from '../wecom/types.js';

/**
 * Quick replies (话术库). For a customer the server fills the variables
 * (GET /api/customers/:id/quick-replies → `rendered`, `missing`); in a group there is no one
 * customer, so the sidebar fills them itself from what it knows.
 */

export interface FillValues {
  name?: string;
  staffName?: string;
  coupon?: string;
  couponValue?: string;
  couponExpiresAt?: string;
  lastOrderDate?: string;
}

/** The same filling the server does, for the raw library: unknown or missing values become ''. */
export function renderLocally(reply: QuickReply, values: FillValues): RenderedQuickReply {
  const known = values as Partial<Record<string, string>>;
  return {
    ...reply,
    rendered: {
      content: fillVariables(reply.content, known),
      linkTitle: reply.linkTitle === null ? null : fillVariables(reply.linkTitle, known),
    },
    missing: reply.variables.filter((v) => !known[v]),
  };
}

/** The message `sendChatMessage` takes for a rendered reply. */
export function chatMessageFor(reply: RenderedQuickReply): ChatMessage {
  if (reply.kind === 'link' && reply.linkUrl) {
    return {
      msgtype: 'news',
      news: {
        link: reply.linkUrl,
        title: reply.rendered.linkTitle || reply.title,
        desc: reply.rendered.content,
        imgUrl: reply.linkImageUrl ?? '',
      },
    };
  }
  if (reply.kind === 'image') {
    // sendChatMessage sends images by media id only; the image goes as a card that opens it
    return {
      msgtype: 'news',
      news: { link: reply.content, title: reply.title, desc: '', imgUrl: reply.content },
    };
  }
  return { msgtype: 'text', text: { content: reply.rendered.content } };
}

/** What the list shows as the reply's body. */
export function previewOf(reply: RenderedQuickReply): string {
  if (reply.kind === 'link')
    return [reply.rendered.linkTitle, reply.rendered.content].filter(Boolean).join(' · ');
  if (reply.kind === 'image') return '[图片]';
  return reply.rendered.content;
}

const VARIABLE_LABELS: Record<string, string> = {
  name: '客户称呼',
  staffName: '员工姓名',
  coupon: '优惠券',
  couponValue: '券面额',
  couponExpiresAt: '券到期日',
  lastOrderDate: '最近下单日',
};

/** "缺少：优惠券、券面额" for replies whose variables could not all be filled. */
export function missingHint(reply: Pick<RenderedQuickReply, 'missing'>): string {
  return reply.missing.length ? `缺少：${reply.missing.map((v) => VARIABLE_LABELS[v] ?? v).join('、')}` : '';
}

/** Local filter by title/content, for searching while typing without a round trip. */
export function matchesQuery(reply: Pick<QuickReply, 'title' | 'content' | 'groupName'>, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [reply.title, reply.content, reply.groupName].some((s) => s.toLowerCase().includes(needle));
}
