import {
  TARGET_METRIC_NAMES,
  TARGET_METRICS,
  type TargetMetric,
  type TargetsResponse,
  type TrackingRow,
} from '../../../../shared/targets.js';

/**
 * The target editor's grid and the tracking table's display: targets are stored as counts, fen or
 * ratios; people type counts, yuan and percent. Pure, so it is tested without a DOM.
 */

export interface TargetGridRow {
  key: string;
  scope: 'team' | 'staff';
  userid: string | null;
  name: string;
  /** display units: count, yuan, percent; null = no target */
  values: Record<TargetMetric, number | null>;
}

export const METRIC_UNIT_LABEL: Record<TargetMetric, string> = {
  new_customers: '人',
  gmv: '元',
  first_order_rate: '%',
  retention_7d: '%',
  monthly_churn_rate: '%',
  sop_completion: '%',
};

export function toDisplay(metric: TargetMetric, value: number | null): number | null {
  if (value === null) return null;
  switch (TARGET_METRICS[metric].unit) {
    case 'count':
      return value;
    case 'fen':
      return value / 100;
    case 'ratio':
      return Math.round(value * 10_000) / 100;
  }
}

export function fromDisplay(metric: TargetMetric, display: number): number {
  switch (TARGET_METRICS[metric].unit) {
    case 'count':
      return Math.round(display);
    case 'fen':
      return Math.round(display * 100);
    case 'ratio':
      return Math.round(display * 100) / 10_000;
  }
}

const emptyValues = () =>
  Object.fromEntries(TARGET_METRIC_NAMES.map((m) => [m, null])) as Record<TargetMetric, number | null>;

/** The team first, then every salesperson the answer offers, with their targets in display units. */
export function gridFrom(res: TargetsResponse): TargetGridRow[] {
  const rows: TargetGridRow[] = [
    { key: 'team', scope: 'team', userid: null, name: '团队', values: emptyValues() },
    ...res.staff.map((s) => ({
      key: `staff:${s.userid}`,
      scope: 'staff' as const,
      userid: s.userid,
      name: s.name,
      values: emptyValues(),
    })),
  ];
  const byKey = new Map(rows.map((r) => [r.userid ?? '', r]));
  for (const t of res.targets) {
    const row = byKey.get(t.userid ?? '');
    if (row && (TARGET_METRIC_NAMES as string[]).includes(t.metric)) {
      row.values[t.metric as TargetMetric] = toDisplay(t.metric as TargetMetric, t.value);
    }
  }
  return rows;
}

/** PUT /api/targets's body: every filled cell. */
export function putBody(month: string, grid: readonly TargetGridRow[]) {
  const targets = [];
  for (const row of grid) {
    for (const metric of TARGET_METRIC_NAMES) {
      const v = row.values[metric];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      targets.push({
        scope: row.scope,
        ...(row.scope === 'staff' ? { userid: row.userid } : {}),
        metric,
        value: fromDisplay(metric, v),
      });
    }
  }
  return { month, targets };
}

/** A value in the metric's own words: "128 人", "¥12,345.00", "12.5%". */
export function formatMetric(metric: TargetMetric, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (TARGET_METRICS[metric].unit) {
    case 'count':
      return `${Math.round(value * 10) / 10}`;
    case 'fen':
      return `¥${(value / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    case 'ratio':
      return `${(value * 100).toFixed(1)}%`;
  }
}

/** The tracking rows that have a target (the tracking table). */
export function trackedRows(rows: readonly TrackingRow[]): TrackingRow[] {
  return rows.filter((r) => r.target !== null);
}

/** "YYYY-MM" of the month before. */
export function previousMonthOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
