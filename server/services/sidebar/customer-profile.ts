import type { Customer360 } from '../../../shared/customer.js';
import type { TimelinePage } from '../../../shared/timeline.js';
import type { Db } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { type Customer360Row, loadCustomer360 } from '../../repositories/customer-360.js';
import {
  decodeTimelineCursor,
  encodeTimelineCursor,
  listTimeline,
  timelineEntryId,
} from '../../repositories/timeline.js';
import type { AccessUser, CustomerAccess } from '../access/customer-access.js';
import { averageOrderValueFen, RFM_SEGMENTS, type RfmSegment } from '../customers/definitions.js';
import { iso } from './format.js';

interface Deps {
  db: Db;
  clock: Clock;
  access: CustomerAccess;
}

function tagGroups(rows: Customer360Row['tags'], me: string): Customer360['tagGroups'] {
  const groups = new Map<string, Customer360['tagGroups'][number]>();
  for (const t of rows) {
    let group = groups.get(t.group_id);
    if (!group) {
      group = { groupId: t.group_id, groupName: t.group_name, tags: [] };
      groups.set(t.group_id, group);
    }
    let tag = group.tags.find((x) => x.tagId === t.tag_id);
    if (!tag) {
      tag = { tagId: t.tag_id, name: t.name, mine: false, taggedBy: [] };
      group.tags.push(tag);
    }
    tag.taggedBy.push(t.userid);
    if (t.userid === me) tag.mine = true;
  }
  return [...groups.values()];
}

function toView(row: Customer360Row, me: string): Customer360 {
  const rfm = row.rfm_segment as RfmSegment | null;
  return {
    profile: {
      externalUserId: row.external_userid,
      name: row.name,
      avatar: row.avatar,
      type: row.type === 1 ? 'wechat' : row.type === 2 ? 'wecom' : null,
      gender: row.gender,
      corpName: row.corp_name,
      unionid: row.unionid,
      channelState: row.channel_state,
      firstSeenAt: iso(row.created_at),
    },
    // the requester's own relation first, then in the order they were added
    followers: [
      ...row.followers.filter((f) => f.userid === me),
      ...row.followers.filter((f) => f.userid !== me),
    ].map((f) => ({
      userid: f.userid,
      name: f.name,
      remark: f.remark,
      description: f.description,
      state: f.state,
      addWay: f.add_way,
      addedAt: iso(f.added_at),
      status: f.status,
      isMe: f.userid === me,
    })),
    tagGroups: tagGroups(row.tags, me),
    stats: {
      totalSpentFen: row.total_spent_fen,
      orderCount: row.order_count,
      avgOrderValueFen: averageOrderValueFen(row.total_spent_fen, row.order_count),
      firstOrderAt: iso(row.first_order_at),
      lastOrderAt: iso(row.last_order_at),
      lastInteractionAt: iso(row.last_interaction_at),
      refundCount: row.refund_count,
      refundedFen: row.refunded_fen,
      lifecycleStage: row.lifecycle_stage,
      rfmSegment: rfm,
      rfmLabel: rfm ? (RFM_SEGMENTS[rfm] ?? null) : null,
      intentScore: row.intent_score,
    },
    recentOrders: row.orders.map((o) => ({
      orderId: o.order_id,
      amountFen: Number(o.amount_fen),
      status: o.status,
      paidAt: iso(o.paid_at),
      refundedAt: iso(o.refunded_at),
      couponId: o.coupon_id,
      items: o.items.map((i) => ({ sku: i.sku, name: i.name, qty: i.qty, priceFen: Number(i.price_fen) })),
    })),
    openCoupons: row.coupons.map((c) => ({
      couponId: c.coupon_id,
      name: c.name,
      valueFen: Number(c.value_fen),
      issuedAt: iso(c.issued_at),
      expiresAt: iso(c.expires_at),
    })),
    openTasks: row.tasks.map((t) => ({
      id: Number(t.id),
      ruleId: Number(t.rule_id),
      ruleName: t.rule_name,
      userid: t.userid,
      status: t.status as 'pending' | 'sent',
      message: t.message,
      dueAt: iso(t.due_at),
      createdAt: iso(t.created_at),
    })),
    groups: row.groups.map((g) => ({ chatId: g.chat_id, name: g.name, joinedAt: iso(g.join_time) })),
  };
}

export const TIMELINE_DEFAULT_LIMIT = 30;

/** The sidebar's read side of a customer: the 360 view and the timeline, behind the access rule. */
export class CustomerProfiles {
  constructor(private readonly deps: Deps) {}

  async get(user: AccessUser, externalUserid: string): Promise<Customer360> {
    // one statement: the access rule is checked on the relations it loads anyway
    const row = await loadCustomer360(this.deps.db, externalUserid, this.deps.clock.now());
    if (!row) throw notFound('customer');
    this.deps.access.assertCanSeeRelations(user, row.followers);
    return toView(row, user.userid);
  }

  async timeline(
    user: AccessUser,
    externalUserid: string,
    page: { before?: string | undefined; limit?: number | undefined },
  ): Promise<TimelinePage> {
    const cursor = page.before === undefined ? undefined : decodeTimelineCursor(page.before);
    if (page.before !== undefined && !cursor) throw new AppError('bad_request', 'invalid cursor');
    await this.deps.access.assertCanSee(user, externalUserid);
    const limit = page.limit ?? TIMELINE_DEFAULT_LIMIT;
    // one extra row tells whether another page exists, so the last page answers nextCursor null
    const rows = await listTimeline(this.deps.db, externalUserid, limit + 1, cursor);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return {
      entries: shown.map((r) => ({
        id: timelineEntryId(r),
        kind: r.kind,
        occurredAt: iso(r.occurred_at),
        actor: r.actor,
        data: r.data,
      })),
      nextCursor:
        rows.length > limit && last
          ? encodeTimelineCursor({ occurredAt: last.occurred_at, id: last.id })
          : null,
    };
  }
}
