import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ROLE_NAMES = ['api', 'worker', 'scheduler'] as const;
export type ProcessRole = (typeof ROLE_NAMES)[number];

export interface WeComConfig {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  oauthBase: string;
  botWebhookKey: string | undefined;
}

export interface AppConfig {
  port: number;
  publicUrl: string;
  /** `PUBLIC_URL`'s origin: the only origin allowed for cookie-authenticated mutations. */
  publicOrigin: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  roles: ReadonlySet<ProcessRole>;
  demo: boolean;
  wecom: WeComConfig;
  ingestSecret: string;
  sessionSecret: string;
  supervisorUserids: readonly string[];
  adminUserids: readonly string[];
}

/** Start-up refused because of configuration; `main` prints the message as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const commaList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
);

const envSchema = z.object({
  PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  PUBLIC_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  REDIS_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
  ),
  ROLES: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(ROLE_NAMES.join(','))
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(z.enum(ROLE_NAMES)).min(1)),
  ),
  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  WECOM_SECRET: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_ENCODING_AES_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters and digits')
      .optional(),
  ),
  WECOM_API_BASE: z.preprocess(blankToUndefined, z.url().default('https://qyapi.weixin.qq.com')),
  WECOM_OAUTH_BASE: z.preprocess(blankToUndefined, z.url().default('https://open.weixin.qq.com')),
  WECOM_BOT_WEBHOOK_KEY: optionalString,
  INGEST_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  SESSION_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  SUPERVISOR_USERIDS: commaList,
  ADMIN_USERIDS: commaList,
  DEMO: z.preprocess(blankToUndefined, z.enum(['0', '1', 'true', 'false']).optional()),
});

type ParsedEnv = z.infer<typeof envSchema>;

/** Values demo mode generates once and keeps in DATA_DIR, so sessions and signatures survive restarts. */
interface DemoSecrets {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  ingestSecret: string;
  sessionSecret: string;
}

const REQUIRED_OUTSIDE_DEMO = [
  'WECOM_CORP_ID',
  'WECOM_AGENT_ID',
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_ENCODING_AES_KEY',
  'INGEST_SECRET',
  'SESSION_SECRET',
] as const;

function alphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function generateDemoSecrets(): DemoSecrets {
  return {
    corpId: `wwdemo${alphanumeric(10).toLowerCase()}`,
    agentId: 1000002,
    secret: alphanumeric(43),
    token: alphanumeric(32),
    encodingAesKey: alphanumeric(43),
    ingestSecret: alphanumeric(40),
    sessionSecret: alphanumeric(40),
  };
}

function loadOrCreateDemoSecrets(dataDir: string): DemoSecrets {
  const file = path.join(dataDir, 'demo-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoSecrets;
  const secrets = generateDemoSecrets();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function firstIssueLine(error: z.ZodError, env: NodeJS.ProcessEnv): string {
  const issue = error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const missing = (env[name] ?? '').trim() === '';
  return missing ? `${name} is required` : `${name} is invalid: ${issue.message}`;
}

/**
 * Parses the environment into the typed configuration. Throws ConfigError naming the first
 * missing or malformed variable. In demo mode WeCom values and secrets come from DATA_DIR.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(firstIssueLine(parsed.error, env));
  const e: ParsedEnv = parsed.data;

  const demo = e.DEMO === undefined ? e.WECOM_CORP_ID === undefined : e.DEMO === '1' || e.DEMO === 'true';
  const dataDir = path.resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');

  let wecom: WeComConfig;
  let ingestSecret: string;
  let sessionSecret: string;
  if (demo) {
    const s = loadOrCreateDemoSecrets(dataDir);
    wecom = {
      corpId: s.corpId,
      agentId: s.agentId,
      secret: s.secret,
      token: s.token,
      encodingAesKey: s.encodingAesKey,
      // Demo mode points both bases at the simulator once it has started.
      apiBase: e.WECOM_API_BASE,
      oauthBase: e.WECOM_OAUTH_BASE,
      botWebhookKey: e.WECOM_BOT_WEBHOOK_KEY ?? 'demo-robot',
    };
    ingestSecret = e.INGEST_SECRET ?? s.ingestSecret;
    sessionSecret = e.SESSION_SECRET ?? s.sessionSecret;
  } else {
    for (const name of REQUIRED_OUTSIDE_DEMO) {
      if (e[name] === undefined)
        throw new ConfigError(`${name} is required (or unset WECOM_CORP_ID for demo mode)`);
    }
    wecom = {
      corpId: e.WECOM_CORP_ID!,
      agentId: e.WECOM_AGENT_ID!,
      secret: e.WECOM_SECRET!,
      token: e.WECOM_TOKEN!,
      encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
      apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
      oauthBase: e.WECOM_OAUTH_BASE.replace(/\/+$/, ''),
      botWebhookKey: e.WECOM_BOT_WEBHOOK_KEY,
    };
    ingestSecret = e.INGEST_SECRET!;
    sessionSecret = e.SESSION_SECRET!;
  }

  return {
    port: e.PORT,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    roles: new Set(e.ROLES),
    demo,
    wecom,
    ingestSecret,
    sessionSecret,
    supervisorUserids: e.SUPERVISOR_USERIDS,
    adminUserids: e.ADMIN_USERIDS,
  };
}
