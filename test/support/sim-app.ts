import type { AppConfig } from '../../server/config.js';
import type { Clock } from '../../server/infra/clock.js';
import { type RunningSimulator, SimulatorClient, startSimulator } from '../../simulator/index.js';
import { startTestApp, TEST_WECOM, type TestApp } from './test-app.js';
import { drainQueues } from './wait.js';

export interface SimApp extends TestApp {
  sim: SimulatorClient;
  simServer: RunningSimulator;
  /** runs until every queue is empty */
  drain(timeoutMs?: number): Promise<void>;
}

/** The app wired to a real WeCom simulator over HTTP, callbacks and API both ways. */
export async function startSimApp(
  options: { config?: Partial<AppConfig>; clock?: Clock } = {},
): Promise<SimApp> {
  const simServer = await startSimulator({
    corpId: TEST_WECOM.corpId,
    corpSecret: TEST_WECOM.secret,
    agentId: TEST_WECOM.agentId,
    token: TEST_WECOM.token,
    encodingAesKey: TEST_WECOM.encodingAesKey,
  });
  const app = await startTestApp({
    ...options,
    config: {
      ...options.config,
      wecom: {
        ...TEST_WECOM,
        apiBase: simServer.url,
        oauthBase: simServer.url,
        botWebhookKey: 'test-robot',
        ...options.config?.wecom,
      },
    },
  });
  const sim = new SimulatorClient(simServer.url);
  await sim.setCallbackUrl(`${app.url}/wecom/callback`);
  return {
    ...app,
    sim,
    simServer,
    drain: (timeoutMs) => drainQueues(app.runtime.ctx.jobs, timeoutMs),
    async stop() {
      await app.stop();
      await simServer.close();
    },
  };
}

/** 张三 and 李四 with the customer-contact permission, and the 客户等级 tags (VIP, 高意向) synced. */
export async function seedSalesTeam(app: SimApp): Promise<void> {
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
  );
  await app.sim.upsertTagGroups({
    group_id: 'g-level',
    group_name: '客户等级',
    tags: [
      { id: 't-vip', name: 'VIP' },
      { id: 't-intent', name: '高意向' },
    ],
  });
  await app.runtime.services.tagCatalogue.resync();
}
