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

/*
 * Each kind is checked by a schema without transforms (`…Fields`) and then turned into its input
 * (fen, dates) by a plain function: per-field zod transforms made a 1,000-order request's
 * validation four times as expensive as the checks alone. `…ItemSchema` is the two together, for one item at a time.
 */

/** Checked here; `parseYuanToFen` turns it into fen once the item is valid. */
const yuanAmount = z
  .union([z.number(), z.string()], { error: `${AMOUNT_MESSAGE} (number or string)` })
  .refine((v) => parseYuanToFen(v) !== undefined, AMOUNT_MESSAGE);
const fen = (checked: number | string) => parseYuanToFen(checked)!;

const id = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

const timestamp = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00+08:00',
});
const optionalDate = (checked: string | null | undefined) => (checked ? new Date(checked) : undefined);

const orderLineFields = z.object({
  sku: id,
  name: z.string().max(256),
  qty: z.number().int().positive().max(1_000_000),
  price: yuanAmount,
});

const orderFields = z.object({
  orderId: id,
  externalUserId: id,
  amount: yuanAmount,
  status: z.enum(['paid', 'refunded', 'cancelled']),
  paidAt: timestamp,
  /** extension: when a refund happened; defaults to the time the refund is first seen */
  refundedAt: timestamp.optional(),
  items: z.array(orderLineFields).max(500).optional(),
  /** extension: the coupon redeemed on this order */
  couponId: id.optional(),
});

function toOrderInput(o: z.output<typeof orderFields>) {
  return {
    orderId: o.orderId,
    externalUserId: o.externalUserId,
    amountFen: fen(o.amount),
    status: o.status,
    paidAt: new Date(o.paidAt),
    refundedAt: optionalDate(o.refundedAt),
    items: o.items?.map((l) => ({ sku: l.sku, name: l.name, qty: l.qty, priceFen: fen(l.price) })),
    couponId: o.couponId,
  };
}

export const orderItemSchema = orderFields.transform(toOrderInput);
export type OrderInput = z.output<typeof orderItemSchema>;

const eventFields = z.object({
  eventId: id,
  externalUserId: id,
  kind: z.enum(BEHAVIOR_EVENT_KINDS, { error: `must be one of ${BEHAVIOR_EVENT_KINDS.join(', ')}` }),
  occurredAt: timestamp,
  data: z.record(z.string(), z.unknown()).optional(),
});

function toEventInput(e: z.output<typeof eventFields>) {
  return {
    eventId: e.eventId,
    externalUserId: e.externalUserId,
    kind: e.kind,
    occurredAt: new Date(e.occurredAt),
    data: e.data,
  };
}

export const eventItemSchema = eventFields.transform(toEventInput);
export type EventInput = z.output<typeof eventItemSchema>;

const couponFields = z
  .object({
    couponId: id,
    externalUserId: id,
    name: z.string().trim().min(1, 'must not be empty').max(256),
    value: yuanAmount,
    issuedAt: timestamp,
    expiresAt: timestamp,
    usedAt: timestamp.nullish(),
  })
  .refine((c) => !(Date.parse(c.expiresAt) < Date.parse(c.issuedAt)), {
    message: 'must not be before issuedAt',
    path: ['expiresAt'],
  });

function toCouponInput(c: z.output<typeof couponFields>) {
  return {
    couponId: c.couponId,
    externalUserId: c.externalUserId,
    name: c.name,
    valueFen: fen(c.value),
    issuedAt: new Date(c.issuedAt),
    expiresAt: new Date(c.expiresAt),
    usedAt: optionalDate(c.usedAt),
  };
}

export const couponItemSchema = couponFields.transform(toCouponInput);
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

/** A request body: `{ items: [...] }`, 1 to 1,000 items, every one valid — checked, not converted. */
export const ingestRequestSchemas = {
  orders: batchOf(orderFields),
  events: batchOf(eventFields),
  coupons: batchOf(couponFields),
} as const;

/** Turns the items of a request `ingestRequestSchemas` accepted into their inputs. */
export const ingestInputsOf: { [K in IngestKind]: (checked: readonly unknown[]) => IngestInputs[K][] } = {
  orders: (checked) => (checked as z.output<typeof orderFields>[]).map(toOrderInput),
  events: (checked) => (checked as z.output<typeof eventFields>[]).map(toEventInput),
  coupons: (checked) => (checked as z.output<typeof couponFields>[]).map(toCouponInput),
};

/** What an ingest request answers: how many distinct items were new, changed or already known. */
export const ingestResultSchema = z.object({
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;
