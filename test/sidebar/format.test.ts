import { describe, expect, it } from 'vitest';
import { formatMoney, yuanTextToFen } from '../../sidebar/src/logic/money.js';
import {
  dayLabel,
  daysSince,
  isoToShanghaiLocal,
  shanghaiDateTime,
  shanghaiDay,
  shanghaiLocalToIso,
  shortDateTime,
} from '../../sidebar/src/logic/time.js';

describe('formatMoney', () => {
  it('prints fen as yuan with thousands separators and two decimals', () => {
    expect(formatMoney(123450)).toBe('¥1,234.50');
    expect(formatMoney(19900)).toBe('¥199.00');
    expect(formatMoney(5)).toBe('¥0.05');
    expect(formatMoney(0)).toBe('¥0.00');
    expect(formatMoney(123456789)).toBe('¥1,234,567.89');
    expect(formatMoney(-1230)).toBe('-¥12.30');
  });

  it('reads yuan text exactly (no float drift)', () => {
    expect(formatMoney('199')).toBe('¥199.00');
    expect(formatMoney('1234.5')).toBe('¥1,234.50');
    expect(formatMoney('0.29')).toBe('¥0.29');
    expect(yuanTextToFen('0.29')).toBe(29);
    expect(yuanTextToFen('-12.30')).toBe(-1230);
    expect(yuanTextToFen('abc')).toBeUndefined();
  });

  it('prints something readable for missing values', () => {
    expect(formatMoney(undefined)).toBe('¥—');
    expect(formatMoney(null)).toBe('¥—');
    expect(formatMoney(Number.NaN)).toBe('¥—');
    expect(formatMoney('')).toBe('¥—');
  });
});

describe('Asia/Shanghai dates', () => {
  // 2026-03-05 23:30 in Shanghai is 15:30 UTC; 00:30 on the 6th is 16:30 UTC
  const now = new Date('2026-03-05T16:30:00Z'); // 2026-03-06 00:30 Shanghai

  it('takes the day in Shanghai, not UTC or the device zone', () => {
    expect(shanghaiDay('2026-03-05T15:59:59Z')).toBe('2026-03-05');
    expect(shanghaiDay('2026-03-05T16:00:00Z')).toBe('2026-03-06');
    expect(shanghaiDateTime('2026-03-05T16:00:00Z')).toBe('2026-03-06 00:00');
  });

  it('labels days 今天 / 昨天 / M月D日 / with the year when it differs', () => {
    expect(dayLabel('2026-03-06', now)).toBe('今天');
    expect(dayLabel('2026-03-05', now)).toBe('昨天');
    expect(dayLabel('2026-02-28', now)).toBe('2月28日');
    expect(dayLabel('2025-12-31', now)).toBe('2025年12月31日');
  });

  it('short date-times for lists', () => {
    expect(shortDateTime('2026-03-05T16:10:00Z', now)).toBe('00:10');
    expect(shortDateTime('2026-03-05T10:00:00Z', now)).toBe('昨天 18:00');
    expect(shortDateTime('2026-01-02T10:00:00Z', now)).toBe('1月2日');
    expect(shortDateTime('2025-01-02T10:00:00Z', now)).toBe('2025-01-02');
  });

  it('counts calendar days since, in Shanghai', () => {
    expect(daysSince('2026-03-05T16:01:00Z', now)).toBe(0);
    expect(daysSince('2026-03-05T15:59:00Z', now)).toBe(1);
    expect(daysSince('2026-02-04T00:00:00Z', now)).toBe(30);
  });

  it('reads a datetime-local value as Shanghai wall time and back', () => {
    expect(shanghaiLocalToIso('2026-03-06T09:30')).toBe('2026-03-06T01:30:00.000Z');
    expect(shanghaiLocalToIso('')).toBeUndefined();
    expect(shanghaiLocalToIso('tomorrow')).toBeUndefined();
    expect(isoToShanghaiLocal('2026-03-06T01:30:00.000Z')).toBe('2026-03-06T09:30');
  });
});
