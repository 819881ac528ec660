import pino from 'pino';
import { startSimulator } from './index.js';

// `npm run wecom-sim`: a standalone WeCom simulator with demo credentials unless SIM_* say otherwise.

const logger = pino({ base: undefined });

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    logger.fatal(`${name} must be a non-negative integer, got "${raw}"`);
    process.exit(1);
  }
  return n;
}

const env = (name: string, fallback: string) => process.env[name] || fallback;

const encodingAesKey = env('SIM_ENCODING_AES_KEY', 'c2ltdWxhdG9yLWRlbW8ta2V5LTAxMjM0NTY3ODlhYmM');
if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) {
  logger.fatal('SIM_ENCODING_AES_KEY must be 43 base64 characters');
  process.exit(1);
}

const callbackUrl = process.env.SIM_CALLBACK_URL;
const sim = await startSimulator({
  port: intFromEnv('SIM_PORT', 4100),
  host: env('SIM_HOST', '127.0.0.1'),
  corpId: env('SIM_CORP_ID', 'wwsimcorp0000001'),
  corpSecret: env('SIM_CORP_SECRET', 'sim-corp-secret-0000000000000000000000000000'),
  agentId: intFromEnv('SIM_AGENT_ID', 1000002),
  token: env('SIM_TOKEN', 'simtoken0000000000000000'),
  encodingAesKey,
  ...(callbackUrl ? { callbackUrl } : {}),
});

logger.info(
  { corpId: sim.state.config.corpId, agentId: sim.state.config.agentId, callbackUrl: callbackUrl ?? null },
  `WeCom simulator listening on ${sim.url} (control API: ${sim.url}/sim/config)`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
