import type { SimulatorClient } from '../../simulator/client.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../infra/logger.js';
import { DEMO_SUPERVISOR } from './seed-data.js';

export interface DemoWeCom {
  url: string;
  /** the simulator's control API: seeding and the demo window's buttons */
  control: SimulatorClient;
  /** where the simulator POSTs its callbacks, once the API listens */
  setCallbackUrl(url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Demo mode: the WeCom simulator stands in for WeCom with the demo credentials, and both API
 * bases point at it. Loaded dynamically so production never imports the simulator.
 */
export async function startDemoWeCom(config: AppConfig, logger: Logger): Promise<DemoWeCom> {
  const { startSimulator, SimulatorClient } = await import('../../simulator/index.js');
  const sim = await startSimulator({
    corpId: config.wecom.corpId,
    corpSecret: config.wecom.secret,
    agentId: config.wecom.agentId,
    token: config.wecom.token,
    encodingAesKey: config.wecom.encodingAesKey,
  });
  config.wecom.apiBase = sim.url;
  config.wecom.oauthBase = sim.url;
  if (!config.supervisorUserids.includes(DEMO_SUPERVISOR)) {
    config.supervisorUserids = [...config.supervisorUserids, DEMO_SUPERVISOR];
  }
  logger.info({ simulator: sim.url }, 'demo mode: WeCom simulator started');
  const client = new SimulatorClient(sim.url);
  return {
    url: sim.url,
    control: client,
    async setCallbackUrl(url) {
      await client.setCallbackUrl(url);
    },
    close: () => sim.close(),
  };
}
