import { describe, expect, it } from 'vitest';
import { type TargetsResponse, targetsPutSchema } from '../../shared/targets.js';
import {
  formatMetric,
  fromDisplay,
  gridFrom,
  putBody,
  toDisplay,
} from '../../sidebar/src/workbench/logic/targets.js';

/** The target editor: stored units (count, fen, ratio) ↔ what people type (count, yuan, percent). */

const response: TargetsResponse = {
  month: '2025-06',
  excludeFlagged: false,
  elapsedShare: 0.5,
  targets: [
    { scope: 'team', userid: null, metric: 'gmv', value: 123_456 },
    { scope: 'staff', userid: 'zhangsan', metric: 'monthly_churn_rate', value: 0.045 },
    { scope: 'staff', userid: 'zhangsan', metric: 'new_customers', value: 80 },
  ],
  staff: [
    { userid: 'lisi', name: '李四' },
    { userid: 'zhangsan', name: '张三' },
  ],
  rows: [],
  laggards: [],
};

describe('target grid', () => {
  it('converts units both ways without drift', () => {
    expect(toDisplay('gmv', 123_456)).toBe(1234.56);
    expect(fromDisplay('gmv', 1234.56)).toBe(123_456);
    expect(toDisplay('retention_7d', 0.805)).toBe(80.5);
    expect(fromDisplay('retention_7d', 80.5)).toBe(0.805);
    expect(fromDisplay('sop_completion', 33.3)).toBe(0.333);
    expect(fromDisplay('new_customers', 12.4)).toBe(12);
    expect(toDisplay('gmv', null)).toBeNull();
  });

  it('lays the team and each salesperson out with their targets, and saves every filled cell', () => {
    const grid = gridFrom(response);
    expect(grid.map((r) => r.name)).toEqual(['团队', '李四', '张三']);
    expect(grid[0]!.values.gmv).toBe(1234.56);
    expect(grid[2]!.values).toMatchObject({ monthly_churn_rate: 4.5, new_customers: 80, gmv: null });
    grid[1]!.values.first_order_rate = 20;
    const body = putBody('2025-06', grid);
    expect(targetsPutSchema.parse(body).targets).toEqual([
      { scope: 'team', metric: 'gmv', value: 123_456 },
      { scope: 'staff', userid: 'lisi', metric: 'first_order_rate', value: 0.2 },
      { scope: 'staff', userid: 'zhangsan', metric: 'new_customers', value: 80 },
      { scope: 'staff', userid: 'zhangsan', metric: 'monthly_churn_rate', value: 0.045 },
    ]);
  });

  it('formats values in the metric’s words', () => {
    expect(formatMetric('gmv', 1_000_000_00)).toBe('¥1,000,000.00');
    expect(formatMetric('monthly_churn_rate', 0.0456)).toBe('4.6%');
    expect(formatMetric('new_customers', 3)).toBe('3');
    expect(formatMetric('retention_7d', null)).toBe('—');
  });
});
