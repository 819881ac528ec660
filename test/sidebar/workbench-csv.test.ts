import { describe, expect, it } from 'vitest';
import { growthPerDay, growthPerStaff } from '../../sidebar/src/workbench/logic/aggregate.js';
import { BOM, buildCsv, csvCell, csvFileName } from '../../sidebar/src/workbench/logic/csv.js';
import { minutes, percent, percentPoints, pValue, yuan } from '../../sidebar/src/workbench/logic/format.js';
import {
  addDays,
  daysOf,
  normalizeRange,
  presetOf,
  presetRange,
  shanghaiDay,
} from '../../sidebar/src/workbench/logic/range.js';

describe('CSV builder', () => {
  it('starts with a UTF-8 BOM and ends rows with CRLF', () => {
    const csv = buildCsv(
      [{ label: '员工', value: (r: { n: string }) => r.n }],
      [{ n: '张三' }, { n: '李四' }],
    );
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv).toBe('\uFEFF员工\r\n张三\r\n李四\r\n');
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes commas, quotes, line breaks and padded text', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('他说"好"')).toBe('"他说""好"""');
    expect(csvCell('第一行\n第二行')).toBe('"第一行\n第二行"');
    expect(csvCell(' x')).toBe('" x"');
    expect(csvCell('普通')).toBe('普通');
  });

  it('writes numbers as numbers and empties as empty', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.125)).toBe('0.125');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('-x,y')).toBe(`"'-x,y"`);
  });

  it('builds one row per record in column order', () => {
    const rows = [
      { name: '张三', rate: 0.5 },
      { name: 'a,"b"', rate: 1 },
    ];
    const csv = buildCsv(
      [
        { label: '员工', value: (r: (typeof rows)[number]) => r.name },
        { label: '完成率', value: (r: (typeof rows)[number]) => percent(r.rate) },
      ],
      rows,
    );
    expect(csv.slice(1).split('\r\n')).toEqual(['员工,完成率', '张三,50.0%', '"a,""b""",100.0%', '']);
  });

  it('names files with the title and range, without characters file systems refuse', () => {
    expect(csvFileName('任务完成', { from: '2024-06-01', to: '2024-06-07' })).toBe(
      '任务完成_2024-06-01_2024-06-07.csv',
    );
    expect(csvFileName('逾期任务/张 三')).toBe('逾期任务_张_三.csv');
  });
});

describe('formatting', () => {
  it('formats rates, points, money, minutes and p-values', () => {
    expect(percent(0.1234)).toBe('12.3%');
    expect(percent(null)).toBe('—');
    expect(percent(0.05, 0)).toBe('5%');
    expect(percentPoints(0.04)).toBe('+4.0 个百分点');
    expect(percentPoints(-0.012)).toBe('−1.2 个百分点');
    expect(yuan(123456)).toBe('¥1,234.56');
    expect(yuan(0)).toBe('¥0.00');
    expect(minutes(3.46)).toBe('3.5 分钟');
    expect(minutes(80)).toBe('1 小时 20 分钟');
    expect(minutes(null)).toBe('—');
    expect(pValue(0.0004)).toBe('< 0.001');
    expect(pValue(0.0351)).toBe('0.035');
  });
});

describe('date ranges (Asia/Shanghai days)', () => {
  it('takes the Shanghai calendar day of an instant', () => {
    expect(shanghaiDay(new Date('2024-06-30T15:59:59Z'))).toBe('2024-06-30');
    expect(shanghaiDay(new Date('2024-06-30T16:00:00Z'))).toBe('2024-07-01');
  });

  it('defaults to the last 7 days including today, in Shanghai', () => {
    // 2024-07-01 00:30 in Shanghai is still 2024-06-30 in UTC
    const now = new Date('2024-06-30T16:30:00Z');
    expect(presetRange('last7', now)).toEqual({ from: '2024-06-25', to: '2024-07-01' });
    expect(presetRange('last30', now)).toEqual({ from: '2024-06-02', to: '2024-07-01' });
    expect(presetRange('thisMonth', now)).toEqual({ from: '2024-07-01', to: '2024-07-01' });
    expect(presetRange('lastMonth', now)).toEqual({ from: '2024-06-01', to: '2024-06-30' });
    expect(presetRange('lastMonth', new Date('2024-03-10T04:00:00Z'))).toEqual({
      from: '2024-02-01',
      to: '2024-02-29',
    });
    expect(presetOf({ from: '2024-06-25', to: '2024-07-01' }, now)).toBe('last7');
    expect(presetOf({ from: '2024-06-24', to: '2024-07-01' }, now)).toBeUndefined();
  });

  it('lists days across month and year ends', () => {
    expect(daysOf({ from: '2023-12-30', to: '2024-01-02' })).toEqual([
      '2023-12-30',
      '2023-12-31',
      '2024-01-01',
      '2024-01-02',
    ]);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('orders the ends and keeps within 366 days', () => {
    expect(normalizeRange({ from: '2024-06-07', to: '2024-06-01' })).toEqual({
      from: '2024-06-01',
      to: '2024-06-07',
    });
    expect(normalizeRange({ from: '2020-01-01', to: '2024-06-30' })).toEqual({
      from: '2023-07-01',
      to: '2024-06-30',
    });
  });
});

describe('growth sums', () => {
  const rows = [
    {
      day: '2024-06-01',
      userid: 'a',
      name: '张三',
      added: 3,
      deletedByStaff: 0,
      deletedByCustomer: 1,
      net: 2,
    },
    {
      day: '2024-06-01',
      userid: 'b',
      name: '李四',
      added: 1,
      deletedByStaff: 1,
      deletedByCustomer: 0,
      net: 0,
    },
    {
      day: '2024-06-03',
      userid: 'a',
      name: '张三',
      added: 0,
      deletedByStaff: 0,
      deletedByCustomer: 2,
      net: -2,
    },
  ];

  it('adds the report’s rows per day, with zeros for quiet days', () => {
    expect(growthPerDay(rows, ['2024-06-01', '2024-06-02', '2024-06-03'])).toEqual([
      { day: '2024-06-01', added: 4, deletedByStaff: 1, deletedByCustomer: 1, net: 2 },
      { day: '2024-06-02', added: 0, deletedByStaff: 0, deletedByCustomer: 0, net: 0 },
      { day: '2024-06-03', added: 0, deletedByStaff: 0, deletedByCustomer: 2, net: -2 },
    ]);
  });

  it('adds them per salesperson, most added first', () => {
    expect(growthPerStaff(rows)).toEqual([
      { userid: 'a', name: '张三', added: 3, deletedByStaff: 0, deletedByCustomer: 3, net: 0 },
      { userid: 'b', name: '李四', added: 1, deletedByStaff: 1, deletedByCustomer: 0, net: 0 },
    ]);
  });
});
