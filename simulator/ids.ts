import { createHash, randomBytes } from 'node:crypto';

function randomId(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export const newId = {
  externalUserId: () => randomId('wm', 21),
  chatId: () => randomId('wr', 21),
  tagId: () => randomId('et', 21),
  msgId: () => randomId('msg', 15),
  configId: () => randomBytes(16).toString('hex'),
  welcomeCode: () => randomBytes(32).toString('base64url'),
  oauthCode: () => randomBytes(32).toString('base64url'),
  accessToken: () => randomBytes(48).toString('base64url'),
  ticket: () => randomBytes(32).toString('base64url'),
  appMsgId: () => randomBytes(24).toString('base64url'),
};

export function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function encodeCursor(parts: number[]): string {
  return Buffer.from(parts.join('.')).toString('base64url');
}

/** Returns undefined for a malformed cursor; an empty cursor means "from the start". */
export function decodeCursor(cursor: string, length: number): number[] | undefined {
  if (cursor === '') return new Array<number>(length).fill(0);
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.').map(Number);
  if (parts.length !== length || parts.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  return parts;
}
