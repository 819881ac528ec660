import type {
  CouponInput,
  EventInput,
  IngestInputs,
  IngestKind,
  IngestResult,
  OrderInput,
} from '../../../shared/ingest.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import { insertBehaviorEvents } from '../../repositories/behavior-events.js';
import { upsertCoupons } from '../../repositories/coupons.js';
import { readActivity } from '../../repositories/customer-activity.js';
import {
  addNewOrders,
  lockCustomers,
  recomputeOrderStats,
  recordInteractions,
} from '../../repositories/customer-stats.js';
import { ensureCustomerStubs } from '../../repositories/customers.js';
import { type OrderLineRecord, replaceOrderLines, upsertOrders } from '../../repositories/orders.js';
import { appendTimeline } from '../../repositories/timeline.js';
import { mergeActivity } from '../customers/activity.js';
import type { CustomerInsights } from '../customers/insights.js';
import { byDedupeKey, couponEntries, eventEntry } from './timeline-entries.js';

/** Items sent twice in one request: the later one wins, as if sent one after the other. Sorted by id. */
function latestById<T>(items: readonly T[], id: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(id(item), item);
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * Stores validated records from business systems. Each call is one transaction of bulk statements:
 * stub customers, the records, timeline entries, then — for the customers whose records changed —
 * stats and derived values. Rows are written in id order and customers locked in id order just
 * before their update, so concurrent calls overlap as much as they can and never deadlock.
 */
export class IngestService {
  constructor(private readonly deps: { db: Db; clock: Clock; insights: CustomerInsights }) {}

  ingest<K extends IngestKind>(kind: K, items: readonly IngestInputs[K][]): Promise<IngestResult> {
    switch (kind) {
      case 'orders':
        return this.ingestOrders(items as readonly OrderInput[]);
      case 'events':
        return this.ingestEvents(items as readonly EventInput[]);
      default:
        return this.ingestCoupons(items as readonly CouponInput[]);
    }
  }

  async ingestOrders(items: readonly OrderInput[]): Promise<IngestResult> {
    const orders = latestById(items, (o) => o.orderId);
    const now = this.deps.clock.now();
    const withLines = orders.filter((o) => o.items !== undefined);
    const lines: OrderLineRecord[] = withLines.flatMap((o) =>
      (o.items ?? []).map((l, i) => ({ orderId: o.orderId, lineNo: i + 1, ...l })),
    );
    return this.deps.db.transaction().execute(async (trx) => {
      await ensureCustomerStubs(trx, sortedUnique(orders.map((o) => o.externalUserId)));
      const { written, fresh, ...counts } = await upsertOrders(
        trx,
        orders.map((o) => ({
          orderId: o.orderId,
          externalUserid: o.externalUserId,
          amountFen: o.amountFen,
          status: o.status,
          paidAt: o.paidAt,
          refundedAt: o.refundedAt ?? now,
          couponId: o.couponId ?? null,
        })),
        lines,
      );
      // lines of the orders inserted just now are stored; those of stored ones sent again replace theirs
      const resent = new Set(withLines.filter((o) => !fresh.has(o.orderId)).map((o) => o.orderId));
      await replaceOrderLines(
        trx,
        [...resent],
        lines.filter((l) => resent.has(l.orderId)),
      );
      // orders stored unchanged already have their entries and are in the stats; an order keeps
      // the customer it was first reported for
      const changed = orders.flatMap((o) => {
        const stored = written.get(o.orderId);
        return stored === undefined ? [] : [{ ...o, externalUserId: stored }];
      });
      // new orders are added to their customers' stats; a customer with a stored order that
      // changed (say paid → refunded) has them recomputed from all of its orders
      const recompute = new Set(changed.filter((o) => !fresh.has(o.orderId)).map((o) => o.externalUserId));
      const added = changed.filter((o) => !recompute.has(o.externalUserId));
      const derived = { now, thresholds: await this.deps.insights.thresholds(trx) };
      await lockCustomers(trx, sortedUnique(changed.map((o) => o.externalUserId)));
      await addNewOrders(
        trx,
        added.map((o) => ({
          externalUserid: o.externalUserId,
          amountFen: o.amountFen,
          status: o.status,
          paidAt: o.paidAt,
        })),
        derived,
      );
      await recomputeOrderStats(trx, [...recompute], derived);
      return { received: items.length, ...counts, unchanged: orders.length - written.size };
    });
  }

  async ingestEvents(items: readonly EventInput[]): Promise<IngestResult> {
    const events = latestById(items, (e) => e.eventId);
    const now = this.deps.clock.now();
    return this.deps.db.transaction().execute(async (trx) => {
      await ensureCustomerStubs(trx, sortedUnique(events.map((e) => e.externalUserId)));
      const inserted = await insertBehaviorEvents(
        trx,
        events.map((e) => ({
          eventId: e.eventId,
          externalUserid: e.externalUserId,
          kind: e.kind,
          occurredAt: e.occurredAt,
          data: e.data ?? {},
        })),
      );
      const fresh = events.filter((e) => inserted.has(e.eventId));
      await appendTimeline(trx, fresh.map(eventEntry).sort(byDedupeKey));
      const customerIds = sortedUnique(fresh.map((e) => e.externalUserId));
      await lockCustomers(trx, customerIds);
      const stored = await readActivity(trx, customerIds);
      const byCustomer = new Map<string, EventInput[]>();
      for (const e of fresh) {
        const list = byCustomer.get(e.externalUserId);
        if (list) list.push(e);
        else byCustomer.set(e.externalUserId, [e]);
      }
      const activity = new Map(
        customerIds.map((id) => [id, mergeActivity(stored.get(id) ?? null, byCustomer.get(id) ?? [], now)]),
      );
      await recordInteractions(
        trx,
        customerIds,
        fresh.map((e) => ({ externalUserid: e.externalUserId, at: e.occurredAt })),
        { now, thresholds: await this.deps.insights.thresholds(trx), activity },
      );
      return {
        received: items.length,
        inserted: inserted.size,
        updated: 0,
        unchanged: events.length - inserted.size,
      };
    });
  }

  async ingestCoupons(items: readonly CouponInput[]): Promise<IngestResult> {
    const coupons = latestById(items, (c) => c.couponId);
    const now = this.deps.clock.now();
    return this.deps.db.transaction().execute(async (trx) => {
      await ensureCustomerStubs(trx, sortedUnique(coupons.map((c) => c.externalUserId)));
      const { written, ...counts } = await upsertCoupons(
        trx,
        coupons.map((c) => ({
          couponId: c.couponId,
          externalUserid: c.externalUserId,
          name: c.name,
          valueFen: c.valueFen,
          issuedAt: c.issuedAt,
          expiresAt: c.expiresAt,
          usedAt: c.usedAt ?? null,
        })),
      );
      const changed = coupons.flatMap((c) => {
        const stored = written.get(c.couponId);
        return stored === undefined ? [] : [{ ...c, externalUserId: stored }];
      });
      await appendTimeline(trx, changed.flatMap(couponEntries).sort(byDedupeKey));
      const customerIds = sortedUnique(changed.map((c) => c.externalUserId));
      await lockCustomers(trx, customerIds);
      await recordInteractions(
        trx,
        customerIds,
        changed.flatMap((c) => (c.usedAt ? [{ externalUserid: c.externalUserId, at: c.usedAt }] : [])),
        { now, thresholds: await this.deps.insights.thresholds(trx) },
      );
      return { received: items.length, ...counts, unchanged: coupons.length - written.size };
    });
  }
}
