import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/infra/net.js';
import { putSetting } from '../../server/repositories/settings.js';
import { SOP_PRESSURE_SETTING } from '../../shared/sop.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The /demo chat window as a newcomer uses it: pick a customer, see the sidebar, fire "a coupon
 * that expires in 12 h", run the rules, send the task — the message lands in the chat pane and the
 * task is sent. The app runs in demo mode: its own simulator and seeded world.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!existsSync(CHROMIUM))('the /demo chat window', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    app = await startTestApp({ config: { demo: true, port, publicUrl, publicOrigin: publicUrl } });
    // the test must not depend on the hour it runs at: no quiet hours here
    await putSetting(
      app.runtime.ctx.db,
      SOP_PRESSURE_SETTING,
      { maxMessages: 10, windowDays: 7, quietHours: null },
      new Date(),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a newcomer fires a coupon, runs the rules and sends the task from the sidebar', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${app.url}/demo`);
    const first = page.locator('[data-customer]').first();
    await first.waitFor();
    const externalUserid = (await first.getAttribute('data-customer'))!;
    const name = (await first.locator('b').textContent())!;
    await first.click();

    const sidebar = page.frameLocator('iframe[data-test="sidebar"]');
    await sidebar.getByText(name).first().waitFor({ timeout: 20_000 });
    await sidebar.getByText('订单').first().waitFor();
    await sidebar.getByText('动态').first().waitFor();

    await page.locator('[data-action="coupon12h"]').click();
    await page.getByText('限时满 300 减 50').first().waitFor();
    await page.locator('[data-action="runRules"]').click();
    await page.locator('.toast', { hasText: '新建' }).waitFor();

    const card = sidebar.locator('.task-card', { hasText: '限时满 300 减 50' });
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: '发送' }).click();
    await page.locator('[data-test="messages"] .line.staff', { hasText: '限时满 300 减 50' }).waitFor();
    await card.getByText('已发送').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-window-sent-1400.png') });

    const task = await app.runtime.ctx.db
      .selectFrom('sop_tasks')
      .innerJoin('sop_rules', 'sop_rules.id', 'sop_tasks.rule_id')
      .select(['sop_tasks.status', 'sop_tasks.sent_at'])
      .where('sop_tasks.external_userid', '=', externalUserid)
      .where('sop_rules.trigger', '=', 'coupon_expiry')
      .executeTakeFirstOrThrow();
    expect(task.status).toBe('sent');
    expect(task.sent_at).not.toBeNull();
    await page.close();
  }, 120_000);
});
