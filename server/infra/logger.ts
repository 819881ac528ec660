import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that may carry secrets; pino replaces their values before a line is written. */
const REDACT = [
  'access_token',
  '*.access_token',
  'secret',
  '*.secret',
  'corpsecret',
  '*.corpsecret',
  'token',
  '*.token',
  'encodingAesKey',
  '*.encodingAesKey',
  'ticket',
  '*.ticket',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
];

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? (process.env.VITEST ? 'silent' : 'info');
  const pretty = options.pretty ?? (process.stdout.isTTY && !process.env.VITEST);
  return pino({
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
