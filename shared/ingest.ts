import { z } from 'zod';

/**
 * The ingest contract for business systems (design §4): one schema per record kind, shared by the
 * HTTP API, the CSV import and the documentation. Amounts arrive in yuan and leave as integer fen.
 */

export const INGEST_KINDS = ['orders', 'events', 'coupons'] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

export const INGEST_MAX_ITEMS = 1000;

/** Behaviour a shop or mini-program reports; anything else is refused so typos do not pile up. */
export const BEHAVIOR_EVENT_KINDS = [
  'product_view',
  'cart_add',
  'checkout_start',
  'order_page_view',
  'member_center_visit',
  'coupon_view',
  'search',
  'share',
  'live_view',
] as const;
export type BehaviorEventKind = (typeof BEHAVIOR_EVENT_KINDS)[number];

const AMOUNT_PATTERN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/**
 * Yuan → fen without floating point: the decimal text is split at the point. A number is read
 * through its shortest round-trip text, so 19.99 is "19.99" (1999 fen) while 0.1 + 0.2 is
 * "0.30000000000000004" and refused for having more than 2 decimals.
 */
export function parseYuanToFen(value: unknown): number | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) return undefined;
  const yuan = Number(match[1]);
  const fen = Number((match[2] ?? '').padEnd(2, '0'));
  return yuan * 100 + fen;
}

const AMOUNT_MESSAGE = 'must be a non-negative amount in yuan with at most 2 decimals, e.g. 199.90';

const yuanAmount = z
  .union([z.number(), z.string()], { error: `${AMOUNT_MESSAGE} (number or string)` })
  .refine((v) => parseYuanToFen(v) !== undefined, AMOUNT_MESSAGE)
  .transform((v) => parseYuanToFen(v)!);

const id = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

const timestamp = z.iso
  .datetime({
    offset: true,
    error: 'must be an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00+08:00',
  })
  .transform((s) => new Date(s));

export const orderLineSchema = z
  .object({
    sku: id,
    name: z.string().max(256),
    qty: z.number().int().positive().max(1_000_000),
    price: yuanAmount,
  })
  .transform(({ price, ...rest }) => ({ ...rest, priceFen: price }));

export const orderItemSchema = z
  .object({
    orderId: id,
    externalUserId: id,
    amount: yuanAmount,
    status: z.enum(['paid', 'refunded', 'cancelled']),
    paidAt: timestamp,
    /** extension: when a refund happened; defaults to the time the refund is first seen */
    refundedAt: timestamp.optional(),
    items: z.array(orderLineSchema).max(500).optional(),
    /** extension: the coupon redeemed on this order */
    couponId: id.optional(),
  })
  .transform(({ amount, ...rest }) => ({ ...rest, amountFen: amount }));
export type OrderInput = z.output<typeof orderItemSchema>;

export const eventItemSchema = z.object({
  eventId: id,
  externalUserId: id,
  kind: z.enum(BEHAVIOR_EVENT_KINDS, { error: `must be one of ${BEHAVIOR_EVENT_KINDS.join(', ')}` }),
  occurredAt: timestamp,
  data: z.record(z.string(), z.unknown()).optional(),
});
export type EventInput = z.output<typeof eventItemSchema>;

export const couponItemSchema = z
  .object({
    couponId: id,
    externalUserId: id,
    name: z.string().trim().min(1, 'must not be empty').max(256),
    value: yuanAmount,
    issuedAt: timestamp,
    expiresAt: timestamp,
    usedAt: timestamp.nullish(),
  })
  .refine((c) => c.expiresAt >= c.issuedAt, { message: 'must not be before issuedAt', path: ['expiresAt'] })
  .transform(({ value, usedAt, ...rest }) => ({ ...rest, valueFen: value, usedAt: usedAt ?? undefined }));
export type CouponInput = z.output<typeof couponItemSchema>;

export const ingestItemSchemas = {
  orders: orderItemSchema,
  events: eventItemSchema,
  coupons: couponItemSchema,
} as const;

export interface IngestInputs {
  orders: OrderInput;
  events: EventInput;
  coupons: CouponInput;
}

function batchOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z
      .array(item)
      .min(1, 'must contain at least one item')
      .max(INGEST_MAX_ITEMS, `must contain at most ${INGEST_MAX_ITEMS} items`),
  });
}

/** A request body: `{ items: [...] }`, 1 to 1,000 items, every one valid. */
export const ingestRequestSchemas = {
  orders: batchOf(orderItemSchema),
  events: batchOf(eventItemSchema),
  coupons: batchOf(couponItemSchema),
} as const;

/** What an ingest request answers: how many distinct items were new, changed or already known. */
export const ingestResultSchema = z.object({
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;
