import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';

/** How far X-Timestamp may be from the server's clock, either way. */
export const INGEST_WINDOW_SECONDS = 300;

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>` — what a business system sends. */
export function signIngestBody(secret: string, timestamp: string | number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return `sha256=${mac.digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyIngestSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowMs: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'X-Timestamp and X-Signature are required' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'X-Timestamp must be unix seconds' };
  const given = SIGNATURE.exec(signature);
  if (!given) return { ok: false, reason: 'X-Signature must be sha256=<64 hex digits>' };
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > INGEST_WINDOW_SECONDS) {
    return { ok: false, reason: 'X-Timestamp is more than 5 minutes from the server time' };
  }
  const expected = Buffer.from(signIngestBody(input.secret, timestamp, input.rawBody).slice(7), 'hex');
  const actual = Buffer.from(given[1]!.toLowerCase(), 'hex');
  if (!timingSafeEqual(expected, actual)) return { ok: false, reason: 'X-Signature does not match' };
  return { ok: true };
}

/** Expects the raw body as a Buffer (express.raw) and refuses anything not signed with the secret. */
export function ingestSignature(secret: string, clock: Clock): RequestHandler {
  return (req, _res, next) => {
    const check = verifyIngestSignature({
      secret,
      timestamp: req.get('x-timestamp'),
      signature: req.get('x-signature'),
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      nowMs: clock.now().getTime(),
    });
    if (!check.ok) throw new AppError('unauthorized', check.reason);
    next();
  };
}
