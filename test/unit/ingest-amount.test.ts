import { describe, expect, it } from 'vitest';
import { couponItemSchema, orderItemSchema, parseYuanToFen } from '../../shared/ingest.js';

describe('yuan amounts', () => {
  it('turn into integer fen without floating-point drift', () => {
    expect(parseYuanToFen(0.1)).toBe(10);
    expect(parseYuanToFen(0.2)).toBe(20);
    expect(parseYuanToFen(19.99)).toBe(1_999); // 19.99 * 100 is 1998.9999999999998
    expect(parseYuanToFen(1.005 * 100)).toBeUndefined(); // 100.49999999999999
    expect(parseYuanToFen(100)).toBe(10_000);
    expect(parseYuanToFen(0)).toBe(0);
    expect(parseYuanToFen('0.07')).toBe(7);
    expect(parseYuanToFen('12.5')).toBe(1_250);
    expect(parseYuanToFen(' 8.80 ')).toBe(880);
    expect(parseYuanToFen('9999999999999.99')).toBe(999_999_999_999_999);
    expect(Number.isSafeInteger(parseYuanToFen('9999999999999.99'))).toBe(true);
  });

  it('refuse more than 2 decimals, negatives, exponents and non-numbers', () => {
    for (const bad of [
      0.1 + 0.2,
      1.234,
      '1.234',
      -1,
      '-0.01',
      '1e3',
      1e21,
      '',
      '.5',
      '5.',
      '1,000',
      'abc',
      NaN,
      Infinity,
      null,
      true,
      {},
    ]) {
      expect(parseYuanToFen(bad), String(bad)).toBeUndefined();
    }
    expect(parseYuanToFen('10000000000000')).toBeUndefined(); // beyond 13 digits of yuan
  });

  it('are read the same way by the order and coupon schemas', () => {
    const order = orderItemSchema.parse({
      orderId: 'o1',
      externalUserId: 'wm1',
      amount: '199.90',
      status: 'paid',
      paidAt: '2025-05-01T10:00:00+08:00',
      items: [{ sku: 's', name: 'n', qty: 2, price: 99.95 }],
    });
    expect(order.amountFen).toBe(19_990);
    expect(order.items?.[0]?.priceFen).toBe(9_995);
    expect(order.paidAt.toISOString()).toBe('2025-05-01T02:00:00.000Z');
    const coupon = couponItemSchema.parse({
      couponId: 'c1',
      externalUserId: 'wm1',
      name: '券',
      value: 20,
      issuedAt: '2025-05-01T00:00:00Z',
      expiresAt: '2025-05-08T00:00:00Z',
      usedAt: null,
    });
    expect(coupon).toMatchObject({ valueFen: 2_000, usedAt: undefined });
    const bad = orderItemSchema.safeParse({
      orderId: 'o',
      externalUserId: 'w',
      amount: 1.001,
      status: 'paid',
      paidAt: '2025-05-01',
    });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['amount', 'paidAt']);
  });
});
