import type { ContentReport, CustomerReport } from '../../../shared/analytics.js';
import type { AnalyticsRange, ChannelReport, ChannelReportRow } from '../../../shared/channels.js';
import { LIFECYCLE_STAGES } from '../../../shared/customer.js';
import {
  TARGET_METRIC_NAMES,
  type TargetItem,
  type TargetMetric,
  type TargetsResponse,
  type TrackingRow,
  targetsPutSchema,
} from '../../../shared/targets.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import {
  channelAdds,
  channelFigures,
  customerBuckets,
  customerSnapshot,
  type MonthActualsRow,
  monthActuals,
  quickReplyUsage,
  targetStaff,
  templateUsage,
} from '../../repositories/analytics-reports.js';
import { listChannels } from '../../repositories/channels.js';
import { listTargets, replaceMonthTargets } from '../../repositories/targets.js';
import { RFM_SEGMENTS } from '../customers/definitions.js';
import { addDays, shanghaiDayStart } from '../sop/time.js';
import {
  allocatedCostFen,
  elapsedShare,
  FIRST_ORDER_DAYS,
  NO_CHANNEL_NAME,
  ORDER_WINDOW_DAYS,
  REPLY_WINDOW_HOURS,
  RETENTION_DAYS,
  ratio,
  trackingFigures,
} from './definitions.js';
import { buckets, defaultGranularity, monthBounds, previousMonth } from './time.js';

function window(r: { from: string; to: string }) {
  return { from: shanghaiDayStart(r.from), toEnd: shanghaiDayStart(addDays(r.to, 1)) };
}

const earlier = (a: Date, b: Date) => (a < b ? a : b);

/** ANALYTICS_DEFINITIONS.targets: the metric values from a month's raw figures. */
export function metricActuals(row: MonthActualsRow | undefined): Record<TargetMetric, number | null> {
  if (!row) {
    return {
      new_customers: 0,
      gmv: 0,
      first_order_rate: null,
      retention_7d: null,
      monthly_churn_rate: null,
      sop_completion: null,
    };
  }
  return {
    new_customers: row.added,
    gmv: Number(row.gmv_fen),
    first_order_rate: ratio(row.first_orders, row.cohort_customers),
    retention_7d: ratio(row.retained, row.retention_eligible),
    monthly_churn_rate: ratio(row.churn_deleted, row.churn_base),
    sop_completion: ratio(row.tasks_sent, row.tasks_assigned),
  };
}

/**
 * The supervisor's acquisition and business reports: channels, targets, customers and content
 * (ANALYTICS_DEFINITIONS). All can leave out customers with an open data-quality flag.
 */
export class AnalyticsService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async channels(range: AnalyticsRange): Promise<ChannelReport> {
    const { db, clock } = this.deps;
    const w = window(range);
    const now = clock.now();
    const figures = await channelFigures(db, {
      ...w,
      asOf: earlier(w.toEnd, now),
      excludeFlagged: range.excludeFlagged,
      retentionDays: RETENTION_DAYS,
      firstOrderDays: FIRST_ORDER_DAYS,
    });
    const channels = await listChannels(db, true);
    const byState = new Map(channels.map((c) => [c.state, c]));
    const costly = channels.filter((c) => c.cost_fen > 0).map((c) => c.state);
    const adds = new Map((await channelAdds(db, costly, w)).map((a) => [a.state, a]));

    const seen = new Set<string | null>();
    const rows: Omit<ChannelReportRow, 'rank'>[] = [];
    const row = (state: string | null, f: (typeof figures)[number] | undefined) => {
      const channel = state === null ? undefined : byState.get(state);
      const totalCostFen = channel?.cost_fen ?? 0;
      const a = state === null ? undefined : adds.get(state);
      const costFen = allocatedCostFen(totalCostFen, a?.in_range ?? 0, a?.ever ?? 0);
      const retained = f?.retained ?? 0;
      const revenueFen = Number(f?.revenue_fen ?? 0);
      rows.push({
        state,
        channelId: channel?.id ?? null,
        name: channel?.name ?? state ?? NO_CHANNEL_NAME,
        deleted: channel?.deleted_at != null,
        added: f?.added ?? 0,
        customers: f?.customers ?? 0,
        deletedByStaff: f?.deleted_by_staff ?? 0,
        deletedByCustomer: f?.deleted_by_customer ?? 0,
        retentionEligible: f?.retention_eligible ?? 0,
        retained7d: retained,
        retention7dRate: ratio(retained, f?.retention_eligible ?? 0),
        firstOrders30d: f?.first_orders ?? 0,
        firstOrder30dRate: ratio(f?.first_orders ?? 0, f?.customers ?? 0),
        revenueFen,
        totalCostFen,
        costFen,
        costPerRetainedFen: retained > 0 && costFen > 0 ? Math.round(costFen / retained) : null,
        roi: costFen > 0 ? Math.round((revenueFen / costFen) * 10_000) / 10_000 : null,
      });
      seen.add(state);
    };
    for (const f of figures) row(f.state, f);
    // every live channel has a row, even without adds in the range
    for (const c of channels) if (!c.deleted_at && !seen.has(c.state)) row(c.state, undefined);

    const ranked = [...rows].sort(
      (a, b) =>
        b.retained7d - a.retained7d ||
        b.added - a.added ||
        b.revenueFen - a.revenueFen ||
        a.name.localeCompare(b.name),
    );
    const sum = (k: keyof Omit<ChannelReportRow, 'rank'>) => rows.reduce((s, r) => s + (r[k] as number), 0);
    const totals = {
      added: sum('added'),
      customers: sum('customers'),
      deletedByStaff: sum('deletedByStaff'),
      deletedByCustomer: sum('deletedByCustomer'),
      retentionEligible: sum('retentionEligible'),
      retained7d: sum('retained7d'),
      retention7dRate: ratio(sum('retained7d'), sum('retentionEligible')),
      firstOrders30d: sum('firstOrders30d'),
      firstOrder30dRate: ratio(sum('firstOrders30d'), sum('customers')),
      revenueFen: sum('revenueFen'),
      totalCostFen: sum('totalCostFen'),
      costFen: sum('costFen'),
      costPerRetainedFen:
        sum('retained7d') > 0 && sum('costFen') > 0 ? Math.round(sum('costFen') / sum('retained7d')) : null,
      roi: sum('costFen') > 0 ? Math.round((sum('revenueFen') / sum('costFen')) * 10_000) / 10_000 : null,
    };
    return {
      from: range.from,
      to: range.to,
      excludeFlagged: range.excludeFlagged,
      rows: ranked.map((r, i) => ({ ...r, rank: i + 1 })),
      totals,
    };
  }

  // ---- targets --------------------------------------------------------------------------------

  async #actuals(month: string, excludeFlagged: boolean, now: Date) {
    const { start, end } = monthBounds(month);
    if (start >= now) return new Map<string | null, MonthActualsRow>();
    const rows = await monthActuals(this.deps.db, {
      start,
      end,
      asOf: earlier(end, now),
      excludeFlagged,
      retentionDays: RETENTION_DAYS,
      firstOrderDays: FIRST_ORDER_DAYS,
    });
    return new Map(rows.map((r) => [r.userid, r]));
  }

  async targets(q: { month: string; excludeFlagged: boolean }): Promise<TargetsResponse> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const { start, end } = monthBounds(q.month);
    const elapsed = elapsedShare(start, end, now);
    const [targets, staff, current, previous] = await Promise.all([
      listTargets(db, q.month),
      targetStaff(db, q.month),
      this.#actuals(q.month, q.excludeFlagged, now),
      this.#actuals(previousMonth(q.month), q.excludeFlagged, now),
    ]);
    const targetOf = new Map(targets.map((t) => [`${t.userid ?? ''}|${t.metric}`, t.value]));
    const rows: TrackingRow[] = [];
    const add = (userid: string | null, name: string) => {
      const actual = metricActuals(current.get(userid));
      const prev = metricActuals(previous.get(userid));
      for (const metric of TARGET_METRIC_NAMES) {
        const target = targetOf.get(`${userid ?? ''}|${metric}`) ?? null;
        rows.push({
          scope: userid === null ? 'team' : 'staff',
          userid,
          name,
          metric,
          target,
          actual: actual[metric],
          previous: prev[metric],
          elapsedShare: elapsed,
          ...trackingFigures({ metric, target, actual: actual[metric], previous: prev[metric], elapsed }),
        });
      }
    };
    add(null, '团队');
    for (const s of staff) add(s.userid, s.name);
    const laggards = new Map<string, { userid: string; name: string; metrics: string[] }>();
    for (const r of rows) {
      if (!r.laggard || r.userid === null) continue;
      const entry = laggards.get(r.userid) ?? { userid: r.userid, name: r.name, metrics: [] };
      entry.metrics.push(r.metric);
      laggards.set(r.userid, entry);
    }
    return {
      month: q.month,
      excludeFlagged: q.excludeFlagged,
      elapsedShare: elapsed,
      targets: targets.map((t) => ({ scope: t.scope, userid: t.userid, metric: t.metric, value: t.value })),
      staff,
      rows,
      laggards: [...laggards.values()],
    };
  }

  /** Replaces the month's targets with the body's list; answers the tracking table. */
  async putTargets(userid: string, body: unknown): Promise<TargetsResponse> {
    const input = targetsPutSchema.parse(body);
    await replaceMonthTargets(
      this.deps.db,
      input.month,
      input.targets.map((t: TargetItem) => ({
        scope: t.scope,
        userid: t.scope === 'team' ? null : (t.userid ?? null),
        metric: t.metric,
        value: t.value,
      })),
      userid,
      this.deps.clock.now(),
    );
    return this.targets({ month: input.month, excludeFlagged: false });
  }

  // ---- customers ------------------------------------------------------------------------------

  async customers(
    range: AnalyticsRange & { granularity?: 'week' | 'month' | undefined },
  ): Promise<CustomerReport> {
    const { db } = this.deps;
    const granularity = range.granularity ?? defaultGranularity(range.from, range.to);
    const bs = buckets(range.from, range.to, granularity);
    const [snapshot, series] = await Promise.all([
      customerSnapshot(db, range.excludeFlagged),
      customerBuckets(db, bs, range.excludeFlagged),
    ]);
    const lifecycle = new Map<string, number>(LIFECYCLE_STAGES.map((s) => [s, 0]));
    const rfm = new Map<string, number>([...Object.keys(RFM_SEGMENTS), 'none'].map((s) => [s, 0]));
    let customers = 0;
    for (const s of snapshot) {
      customers += s.customers;
      lifecycle.set(s.lifecycle_stage, (lifecycle.get(s.lifecycle_stage) ?? 0) + s.customers);
      const seg = s.rfm_segment ?? 'none';
      rfm.set(seg, (rfm.get(seg) ?? 0) + s.customers);
    }
    const byPeriod = new Map(series.map((r) => [r.period, r]));
    return {
      from: range.from,
      to: range.to,
      excludeFlagged: range.excludeFlagged,
      granularity,
      snapshot: {
        customers,
        lifecycle: [...lifecycle].map(([stage, n]) => ({ stage, customers: n })),
        rfm: [...rfm].map(([segment, n]) => ({
          segment,
          label: RFM_SEGMENTS[segment as keyof typeof RFM_SEGMENTS] ?? '未下单',
          customers: n,
        })),
      },
      series: bs.map((b) => {
        const r = byPeriod.get(b.period);
        const orders = r?.orders ?? 0;
        const revenueFen = Number(r?.revenue_fen ?? 0);
        const buyers = r?.buyers ?? 0;
        const firstBuyers = r?.first_buyers ?? 0;
        return {
          period: b.period,
          start: b.start.toISOString(),
          end: b.end.toISOString(),
          base: r?.base ?? 0,
          orderingCustomers: r?.ordering_customers ?? 0,
          orderingShare: ratio(r?.ordering_customers ?? 0, r?.base ?? 0),
          buyers,
          firstBuyers,
          repeatBuyers: buyers - firstBuyers,
          orders,
          revenueFen,
          avgOrderValueFen: orders > 0 ? Math.round(revenueFen / orders) : null,
          repurchaseIntervals: r?.repurchase_intervals ?? 0,
          medianRepurchaseDays:
            r?.median_repurchase_days == null ? null : Math.round(Number(r.median_repurchase_days) * 10) / 10,
        };
      }),
    };
  }

  // ---- content --------------------------------------------------------------------------------

  async content(range: AnalyticsRange): Promise<ContentReport> {
    const { db } = this.deps;
    const [replies, templates] = await Promise.all([
      quickReplyUsage(db),
      templateUsage(db, {
        ...window(range),
        excludeFlagged: range.excludeFlagged,
        replyHours: REPLY_WINDOW_HOURS,
        orderDays: ORDER_WINDOW_DAYS,
      }),
    ]);
    const tpl = templates
      .map((t) => ({
        ruleId: t.rule_id,
        ruleName: t.rule_name,
        trigger: t.trigger,
        variant: t.variant,
        template: t.template,
        sent: t.sent,
        recipients: t.recipients,
        replied: t.replied,
        replyRate: ratio(t.replied, t.sent),
        ordered: t.ordered,
        orderRate: ratio(t.ordered, t.sent),
        engaged: t.engaged,
        engagedRate: ratio(t.engaged, t.sent),
      }))
      .sort((a, b) => (b.engagedRate ?? 0) - (a.engagedRate ?? 0) || b.sent - a.sent || a.ruleId - b.ruleId);
    return {
      from: range.from,
      to: range.to,
      excludeFlagged: range.excludeFlagged,
      quickReplies: replies.map((q, i) => ({
        id: q.id,
        title: q.title,
        groupName: q.group_name,
        kind: q.kind,
        timesSent: q.times_sent,
        rank: i + 1,
      })),
      templates: tpl.map((t, i) => ({ ...t, rank: i + 1 })),
    };
  }
}
