import type { Selectable } from 'kysely';
import {
  fillVariables,
  type QuickReply,
  type QuickReplyVariable,
  quickReplyInputSchema,
  type RenderedQuickReply,
  variablesIn,
} from '../../../shared/quick-replies.js';
import type { Db } from '../../db/database.js';
import type { QuickRepliesTable } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import {
  countQuickReplySent,
  deleteQuickReply,
  insertQuickReply,
  quickReplyContext,
  quickReplyGroups,
  searchQuickReplies,
  updateQuickReply,
} from '../../repositories/quick-replies.js';
import type { AccessUser, CustomerAccess } from '../access/customer-access.js';
import { iso } from './format.js';

type Row = Selectable<QuickRepliesTable>;
type Filter = { q?: string | undefined; group?: string | undefined };

function toView(r: Row): QuickReply {
  return {
    id: Number(r.id),
    groupName: r.group_name,
    title: r.title,
    kind: r.kind,
    content: r.content,
    linkUrl: r.link_url,
    linkTitle: r.link_title,
    linkImageUrl: r.link_image_url,
    variables: r.variables,
    sortOrder: r.sort_order,
    timesSent: r.times_sent,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

const shanghaiDate = (d: Date | string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(d));
const yuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

/** The quick-reply library: everyone searches; supervisors and admins edit (checked by the route). */
export class QuickReplies {
  constructor(private readonly deps: { db: Db; clock: Clock; access: CustomerAccess }) {}

  async search(filter: Filter): Promise<{ items: QuickReply[]; groups: string[] }> {
    const [rows, groups] = await Promise.all([
      searchQuickReplies(this.deps.db, filter),
      quickReplyGroups(this.deps.db),
    ]);
    return { items: rows.map(toView), groups };
  }

  #values(body: unknown) {
    const input = quickReplyInputSchema.parse(body);
    return {
      group_name: input.groupName,
      title: input.title,
      kind: input.kind,
      content: input.content,
      link_url: input.kind === 'link' ? (input.linkUrl ?? null) : null,
      link_title: input.kind === 'link' ? (input.linkTitle ?? null) : null,
      link_image_url: input.kind === 'link' ? (input.linkImageUrl ?? null) : null,
      variables: variablesIn(input.content, input.linkTitle),
      sort_order: input.sortOrder,
      updated_at: this.deps.clock.now(),
    };
  }

  async create(user: AccessUser, body: unknown): Promise<QuickReply> {
    const now = this.deps.clock.now();
    const row = await insertQuickReply(this.deps.db, {
      ...this.#values(body),
      created_by: user.userid,
      created_at: now,
    });
    return toView(row);
  }

  async update(id: number, body: unknown): Promise<QuickReply> {
    const row = await updateQuickReply(this.deps.db, id, this.#values(body));
    if (!row) throw notFound('quick reply');
    return toView(row);
  }

  async remove(id: number): Promise<void> {
    if (!(await deleteQuickReply(this.deps.db, id))) throw notFound('quick reply');
  }

  /** Counts a send from the sidebar, for the library's "most used" order. */
  async markSent(id: number): Promise<{ timesSent: number }> {
    const timesSent = await countQuickReplySent(this.deps.db, id);
    if (timesSent === undefined) throw notFound('quick reply');
    return { timesSent };
  }

  /** The library with variables filled for one customer, as the requesting staff member would send it. */
  async renderFor(
    user: AccessUser,
    externalUserid: string,
    filter: Filter,
  ): Promise<{ items: RenderedQuickReply[]; groups: string[] }> {
    const { db, clock, access } = this.deps;
    await access.assertCanSee(user, externalUserid);
    const [library, context] = await Promise.all([
      this.search(filter),
      quickReplyContext(db, externalUserid, user.userid, clock.now()),
    ]);
    if (!context) throw notFound('customer');
    const values: Partial<Record<QuickReplyVariable, string>> = {
      name: context.remark || context.name || undefined,
      staffName: context.staff_name || undefined,
      coupon: context.coupon?.name,
      couponValue: context.coupon ? yuan(Number(context.coupon.valueFen)) : undefined,
      couponExpiresAt: context.coupon ? shanghaiDate(context.coupon.expiresAt) : undefined,
      lastOrderDate: context.last_order_at ? shanghaiDate(context.last_order_at) : undefined,
    };
    return {
      groups: library.groups,
      items: library.items.map((q) => ({
        ...q,
        rendered: {
          content: fillVariables(q.content, values),
          linkTitle: q.linkTitle === null ? null : fillVariables(q.linkTitle, values),
        },
        missing: q.variables.filter((v) => values[v as QuickReplyVariable] === undefined),
      })),
    };
  }
}
