import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

let app: SimApp;

beforeAll(async () => {
  app = await startSimApp();
  await app.sim.addStaff({ userid: 'root', name: '管理员' }, { userid: 'boss', name: '主管' });
});
afterAll(async () => {
  await app?.stop();
});

describe('/admin/queues', () => {
  it('is refused without a session (401) and to a supervisor (403)', async () => {
    expect((await fetch(`${app.url}/admin/queues`)).status).toBe(401);
    const boss = await loginAs(app, 'boss');
    expect((await fetch(`${app.url}/admin/queues`, { headers: { cookie: boss } })).status).toBe(403);
  });

  it('shows every queue to an admin', async () => {
    const root = await loginAs(app, 'root');
    const page = await fetch(`${app.url}/admin/queues`, { headers: { cookie: root } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${app.url}/admin/queues/api/queues`, { headers: { cookie: root } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['default', 'delivery', 'sop', 'sync', 'welcome']);
  });
});
