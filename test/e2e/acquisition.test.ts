import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/http/middleware/session.js';
import { parseIngestBatch } from '../../server/services/ingest/validate.js';
import { shanghaiDay } from '../../server/services/sop/time.js';
import { channelListSchema, channelReportSchema } from '../../shared/channels.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

/**
 * 渠道活码, targets and 数据清洗 in a real Chromium against the app and the WeCom simulator: a
 * supervisor creates a channel in the workbench, a customer scans its code (the simulator adds
 * them through the contact way), gets the channel's tag and welcome text, and the channel's
 * numbers move; a target is set and its completion shown; a flagged customer is cleared.
 * Screenshots go to test-artifacts/acquisition-*.png.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const SLOW = 120_000;
const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 390, height: 844 };
const TODAY = shanghaiDay(new Date());

let app: SimApp;
let browser: Browser;
let publicUrl: string;
const cookies: Record<string, string> = {};
const pageErrors: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function api(user: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${app.url}${p}`, {
    method,
    headers: asUser(cookies[user]!, publicUrl),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function contextAs(
  userid: string,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const [name, value] = cookies[userid]!.split(/=(.*)/s) as [string, string];
  expect(name).toBe(SESSION_COOKIE);
  await context.addCookies([{ name, value, url: publicUrl }]);
  context.on('page', (page) => {
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`${page.url()}: console ${m.text()}`);
    });
  });
  return context;
}

async function shoot(page: Page, name: string) {
  await page.waitForTimeout(1200); // charts finish their entry animation
  await page.screenshot({ path: path.join(ARTIFACTS, `acquisition-${name}.png`), fullPage: true });
}

/** Picks options of an Element Plus select by their visible text. */
async function choose(page: Page, select: string, options: string[]) {
  await page.locator(`[data-test="${select}"]`).click();
  for (const text of options) {
    await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
  }
  await page.keyboard.press('Escape');
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  app = await startSimApp({ config: { port, publicUrl, publicOrigin: publicUrl } });
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
  );
  await app.sim.upsertTagGroups({
    group_id: 'g-src',
    group_name: '来源',
    tags: [
      { id: 't-live', name: '直播间' },
      { id: 't-card', name: '包裹卡' },
    ],
  });
  await app.runtime.services.fullSync.run('e2e');
  await app.drain();
  for (const u of ['boss', 'zhangsan']) cookies[u] = await loginAs(app, u);
  // some history: customers added without a channel, one of them shares a unionid with another
  await app.sim.fire.addExternalContact({
    userid: 'zhangsan',
    customer: { name: '老客户', unionid: 'u-dup' },
    welcomeCode: false,
  });
  await app.sim.fire.addExternalContact({
    userid: 'lisi',
    customer: { name: '小号', unionid: 'u-dup' },
    welcomeCode: false,
  });
  await app.drain();

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('渠道活码 in the workbench', () => {
  it(
    'creates a channel, a customer scans it, gets its tag and welcome, and the channel’s numbers move',
    async () => {
      const context = await contextAs('boss', DESKTOP);
      const page = await context.newPage();
      await page.goto(`${publicUrl}/workbench/channels`);
      await page.locator('[data-test="channel-table"]').getByText('还没有渠道活码').waitFor();

      await page.locator('[data-test="new-channel"]').click();
      await page.locator('[data-test="channel-name"] input').fill('618直播间');
      await choose(page, 'channel-staff', ['张三']);
      await choose(page, 'channel-tags', ['直播间']);
      await page
        .locator('[data-test="channel-welcome"] textarea')
        .fill('{{name}}您好，我是{{staffName}}，直播间福利已为您预留～');
      const cost = page.locator('[data-test="channel-cost"] input');
      await cost.fill('500');
      await cost.press('Tab');
      await shoot(page, 'channel-form-desktop');
      await page.locator('[data-test="save-channel"]').click();
      await page.getByText('渠道活码已创建').waitFor();

      const channel = channelListSchema.parse((await api('boss', 'GET', '/api/channels')).body).channels[0]!;
      expect(channel).toMatchObject({
        name: '618直播间',
        staffUserids: ['zhangsan'],
        tagIds: ['t-live'],
        costFen: 50_000,
      });
      expect(await app.sim.contactWays()).toEqual([
        expect.objectContaining({ config_id: channel.configId, state: channel.state }),
      ]);
      // the QR code image is shown (served from our origin) with a download link
      const qr = page.locator('[data-test="qr"]').first();
      await expect
        .poll(() => qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('.dl', { hasText: '下载' }).first().click(),
      ]);
      expect(
        readFileSync((await download.path())!)
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      const reportRow = page.locator('[data-test="channel-report"] .el-table__body-wrapper tr', {
        hasText: '618直播间',
      });
      await reportRow.waitFor();
      expect(await reportRow.innerText()).toMatch(/618直播间\s+0\s/);
      await shoot(page, 'channels-created-desktop');

      // a customer scans the code
      const fired = await app.sim.fire.addExternalContact({
        config_id: channel.configId!,
        customer: { name: '林小姐' },
      });
      await app.drain();
      const marks = (await app.sim.sent.markTags()).filter(
        (m) => m.external_userid === fired.external_userid,
      );
      expect(marks).toEqual([expect.objectContaining({ userid: 'zhangsan', add_tag: ['t-live'] })]);
      const welcome = (await app.sim.sent.welcomeMessages()).find(
        (w) => w.external_userid === fired.external_userid,
      );
      expect(welcome?.text?.content).toBe('林小姐您好，我是张三，直播间福利已为您预留～');

      await page.reload();
      await reportRow.waitFor();
      await expect.poll(() => reportRow.innerText()).toMatch(/618直播间\s+1\s/);
      const report = channelReportSchema.parse(
        (await api('boss', 'GET', `/api/reports/channels?from=${TODAY}&to=${TODAY}`)).body,
      );
      expect(report.rows.find((r) => r.state === channel.state)).toMatchObject({
        added: 1,
        customers: 1,
        costFen: 50_000,
      });
      await shoot(page, 'channels-after-scan-desktop');

      // the customer's page shows the channel's tag
      await page.goto(`${publicUrl}/customer/${fired.external_userid}`);
      await page.getByText('直播间').first().waitFor();
      await shoot(page, 'customer-tagged');
      await context.close();

      const mobile = await contextAs('boss', MOBILE);
      const mpage = await mobile.newPage();
      await mpage.goto(`${publicUrl}/workbench/channels`);
      await mpage.locator('[data-test="channel-report"]').getByText('618直播间').first().waitFor();
      await shoot(mpage, 'channels-mobile');
      await mobile.close();
    },
    SLOW,
  );

  it(
    'sets a target and sees its completion',
    async () => {
      const context = await contextAs('boss', DESKTOP);
      const page = await context.newPage();
      await page.goto(`${publicUrl}/workbench/targets`);
      const cell = page.locator('[data-test="target-team-new_customers"] input');
      await cell.waitFor();
      await cell.fill('8');
      await cell.press('Tab');
      const gmv = page.locator('[data-test="target-staff:zhangsan-gmv"] input');
      await gmv.fill('100000');
      await gmv.press('Tab');
      await page.locator('[data-test="save-targets"]').click();
      await page.getByText('目标已保存').waitFor();

      const res = (await api('boss', 'GET', `/api/targets?month=${TODAY.slice(0, 7)}`)).body;
      const team = res.rows.find(
        (r: { userid: string | null; metric: string }) => r.userid === null && r.metric === 'new_customers',
      );
      // three relations added today: 老客户, 小号 and 林小姐 → 3 of 8
      expect(team).toMatchObject({ target: 8, actual: 3, completion: 0.375 });
      const tracking = page.locator('[data-test="tracking-table"]');
      const row = tracking.locator('.el-table__body-wrapper tr', { hasText: '新增客户' });
      await expect.poll(() => row.innerText()).toContain('37.5%');
      expect(await tracking.innerText()).toContain('¥100,000.00');
      await shoot(page, 'targets-desktop');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-test="export-csv"]').first().click(),
      ]);
      const csv = readFileSync((await download.path())!).toString('utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv).toContain('团队,新增客户,8,3,37.5%');
      await context.close();

      const mobile = await contextAs('boss', MOBILE);
      const mpage = await mobile.newPage();
      await mpage.goto(`${publicUrl}/workbench/targets`);
      await mpage.locator('[data-test="tracking-table"]').getByText('新增客户').first().waitFor();
      await shoot(mpage, 'targets-mobile');
      await mobile.close();
    },
    SLOW,
  );

  it(
    'reviews flagged customers and clears one; the customer and content reports render',
    async () => {
      const context = await contextAs('boss', DESKTOP);
      const page = await context.newPage();
      await page.goto(`${publicUrl}/workbench/data-quality`);
      await page.locator('[data-test="flag-table"]').waitFor();
      await page.locator('[data-test="scan"]').click();
      await page.getByText(/检测完成：新增 2 个标记/).waitFor();
      const table = page.locator('[data-test="flag-table"]');
      await table.getByText('老客户').first().waitFor();
      expect(await table.innerText()).toContain('一人多号');
      await shoot(page, 'data-quality-desktop');
      await table
        .locator('.el-table__body-wrapper tr', { hasText: '老客户' })
        .locator('button', { hasText: '标记正常' })
        .first()
        .click();
      await page.getByText('已标记「老客户」为正常客户').waitFor();
      await expect.poll(async () => (await table.innerText()).includes('老客户')).toBe(false);
      const open = (await api('boss', 'GET', '/api/data-quality/flags')).body.items;
      expect(open.map((f: { customerName: string }) => f.customerName)).toEqual(['小号']);

      // a few paid orders, so the customer report has buyers, AOV and a repurchase interval
      const ids = await app.runtime.ctx.db
        .selectFrom('customers')
        .select(['external_userid', 'name'])
        .execute();
      const idOf = (name: string) => ids.find((c) => c.name === name)!.external_userid;
      const now = Date.now();
      const order = (orderId: string, name: string, amount: string, hoursAgo: number, couponId?: string) => ({
        orderId,
        externalUserId: idOf(name),
        amount,
        status: 'paid',
        paidAt: new Date(now - hoursAgo * 3_600_000).toISOString(),
        ...(couponId ? { couponId } : {}),
      });
      await app.runtime.services.ingest.ingest(
        'orders',
        parseIngestBatch('orders', {
          items: [
            order('e2e-o1', '林小姐', '199.00', 2),
            order('e2e-o2', '老客户', '89.90', 30),
            order('e2e-o3', '老客户', '129.00', 1),
            order('e2e-o4', '小号', '59.00', 3, 'cp-1'),
          ],
        }),
      );
      await page.goto(`${publicUrl}/workbench/customers`);
      await page.locator('[data-test="customer-series"]').waitFor();
      await page.locator('[data-test="exclude-flagged"]').click();
      await shoot(page, 'customers-desktop');
      await page.goto(`${publicUrl}/workbench/content`);
      await page.locator('[data-test="reply-table"]').waitFor();
      await shoot(page, 'content-desktop');
      await context.close();
      // the workbench pages logged no errors (the sidebar's customer page loads WeCom's JS-SDK from the internet)
      expect(pageErrors.filter((e) => e.includes('/workbench'))).toEqual([]);
    },
    SLOW,
  );

  it('a salesperson is refused', async () => {
    const context = await contextAs('zhangsan', DESKTOP);
    const page = await context.newPage();
    await page.goto(`${publicUrl}/workbench/channels`);
    await page.locator('[data-test="forbidden"]').waitFor();
    await context.close();
  });
});
