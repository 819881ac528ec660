import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { AppError } from '../errors.js';

export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export interface SignedPayload {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypted: string;
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies WeCom's signature, decrypts, and checks the receiveid. `@wecom/crypto`'s decrypt
 * verifies nothing itself (a wrong key yields garbage and an empty id), so both checks are ours.
 */
export function verifyAndDecrypt(keys: CallbackKeys, payload: SignedPayload): string {
  const expected = getSignature(keys.token, payload.timestamp, payload.nonce, payload.encrypted);
  if (!sameSignature(expected, payload.msgSignature)) {
    throw new AppError('unauthorized', 'signature does not match');
  }
  let message: string;
  let receiveId: string;
  try {
    const result = decrypt(keys.encodingAesKey, payload.encrypted);
    message = result.message;
    receiveId = result.id;
  } catch {
    throw new AppError('bad_request', 'payload cannot be decrypted');
  }
  if (receiveId !== keys.corpId) throw new AppError('bad_request', 'payload is addressed to another corp');
  return message;
}
