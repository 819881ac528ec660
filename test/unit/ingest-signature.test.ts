import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signIngestBody, verifyIngestSignature } from '../../server/http/middleware/ingest-signature.js';

const secret = 'unit-test-ingest-secret';
const body = Buffer.from('{"items":[{"orderId":"o1"}]}');
const ts = 1_750_000_000;

function check(overrides: Partial<Parameters<typeof verifyIngestSignature>[0]> = {}) {
  return verifyIngestSignature({
    secret,
    timestamp: String(ts),
    signature: signIngestBody(secret, ts, body),
    rawBody: body,
    nowMs: ts * 1000,
    ...overrides,
  });
}

describe('ingest signatures', () => {
  it('are HMAC-SHA256 over "timestamp.rawBody", hex, prefixed sha256=', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex');
    expect(signIngestBody(secret, ts, body)).toBe(`sha256=${expected}`);
    expect(check()).toEqual({ ok: true });
    expect(check({ signature: `sha256=${expected.toUpperCase()}` })).toEqual({ ok: true });
  });

  it('accept timestamps up to 5 minutes off either way, and no more', () => {
    expect(check({ nowMs: (ts + 300) * 1000 }).ok).toBe(true);
    expect(check({ nowMs: (ts - 300) * 1000 }).ok).toBe(true);
    expect(check({ nowMs: (ts + 300) * 1000 + 1 })).toEqual({
      ok: false,
      reason: expect.stringMatching(/5 minutes/),
    });
    expect(check({ nowMs: (ts - 301) * 1000 }).ok).toBe(false);
  });

  it('refuse another secret, another body, another timestamp and malformed headers', () => {
    expect(check({ signature: signIngestBody('another-secret', ts, body) }).ok).toBe(false);
    expect(check({ rawBody: Buffer.from(`${body.toString()} `) }).ok).toBe(false);
    expect(check({ timestamp: String(ts + 1) }).ok).toBe(false);
    for (const signature of [
      undefined,
      '',
      'sha256=',
      'sha256=zz',
      `sha1=${'a'.repeat(64)}`,
      'a'.repeat(64),
      `sha256=${'a'.repeat(63)}`,
    ]) {
      expect(check({ signature }).ok, String(signature)).toBe(false);
    }
    for (const timestamp of [undefined, '', '1.5', '-1', 'now', '1750000000000000']) {
      expect(check({ timestamp }).ok, String(timestamp)).toBe(false);
    }
  });
});
