import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIngestBody } from '../../server/http/middleware/ingest-signature.js';
import { SESSION_COOKIE } from '../../server/http/middleware/session.js';
import { loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

/**
 * The sidebar in a real Chromium against the real app and the WeCom simulator: the customer view
 * at 360 and 320 px, the group view, the task list, the entry page outside WeCom and the OAuth
 * round trip on 401. Screenshots go to test-artifacts/ for a person to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const HOUR = 3_600_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`sidebar screenshots skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!hasChromium)('sidebar in Chromium', () => {
  let app: SimApp;
  let browser: Browser;
  let cookie = '';
  let customerId = '';
  let chatId = '';
  let taskId = 0;

  async function ingest(kind: 'orders' | 'coupons' | 'events', items: unknown[]) {
    const raw = JSON.stringify({ items });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${app.url}/api/ingest/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': String(ts),
        'x-signature': signIngestBody(app.config.ingestSecret, ts, raw),
      },
      body: raw,
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  async function newPage(
    width: number,
    options: { loggedIn?: boolean } = {},
  ): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({
      viewport: { width, height: 740 },
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      // the sidebar shows Shanghai time whatever the device says
      timezoneId: 'Europe/Berlin',
    });
    if (options.loggedIn !== false) {
      const [name, value] = cookie.split('=') as [string, string];
      await ctx.addCookies([{ name, value, url: app.url }]);
    }
    const page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    return { ctx, page };
  }

  async function noHorizontalScroll(page: Page) {
    // a string: this project's Node type check has no DOM lib
    const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    expect(scroll, 'page scrolls sideways').toBeLessThanOrEqual(client);
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // the server serves sidebar/dist (built by the global setup)
    expect(existsSync(path.join(ROOT, 'sidebar/dist/index.html'))).toBe(true);

    // PUBLIC_URL must be the page's own origin, or the server refuses the browser's mutations
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    app = await startSimApp({ config: { port, publicUrl, publicOrigin: publicUrl } });
    expect(app.url).toBe(publicUrl);

    await app.sim.addStaff(
      { userid: 'zhangsan', name: '张三', hasContactPermission: true },
      { userid: 'lisi', name: '李四', hasContactPermission: true },
    );
    await app.sim.upsertTagGroups(
      {
        group_id: 'g-level',
        group_name: '客户等级',
        order: 1,
        tags: [
          { id: 't-vip', name: 'VIP' },
          { id: 't-intent', name: '高意向' },
          { id: 't-silver', name: '银卡会员' },
        ],
      },
      {
        group_id: 'g-source',
        group_name: '来源渠道',
        order: 2,
        tags: [
          { id: 't-live', name: '直播间' },
          { id: 't-store', name: '门店扫码' },
        ],
      },
    );
    await app.runtime.services.tagCatalogue.resync();

    // 李四 added her first; 张三 (the most recent relation) owns her SOP tasks
    customerId = (
      await app.sim.fire.addExternalContact({
        userid: 'lisi',
        customer: { name: '王小美（杭州滨江店老顾客，非常长的名字用来测试省略号）', type: 1, gender: 2 },
        tag_ids: ['t-live'],
      })
    ).external_userid;
    await app.drain();
    // WeCom's CreateTime has whole seconds: make 张三's relation unambiguously the newer one
    await new Promise((r) => setTimeout(r, 1100));
    await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      external_userid: customerId,
      state: 'live0618',
      tag_ids: ['t-vip'],
      remark: '直播间 6.18 下单客户',
    });
    const other = (await app.sim.fire.addExternalContact({ userid: 'zhangsan', customer: { name: '赵六' } }))
      .external_userid;
    chatId = (
      await app.sim.fire.createChat({
        name: '会员福利群·滨江',
        owner: 'zhangsan',
        notice: '每周三上新，群内专享 9 折券～',
        members: [
          { userid: 'zhangsan' },
          { userid: 'lisi' },
          { userid: customerId, type: 2 },
          { userid: other, type: 2 },
        ],
      })
    ).chat_id;
    await app.drain();
    // a tag added later in WeCom, so the timeline has a tag line
    await app.sim.fire.editExternalContact({
      userid: 'zhangsan',
      external_userid: customerId,
      tag_ids: ['t-vip', 't-intent'],
    });
    await app.drain();

    const now = Date.now();
    const ago = (h: number) => new Date(now - h * HOUR).toISOString();
    await ingest('orders', [
      {
        orderId: 'SO20260301001',
        externalUserId: customerId,
        amount: 1299,
        status: 'paid',
        paidAt: ago(24 * 20),
        items: [
          { sku: 'coat-01', name: '羊绒大衣 驼色 M', qty: 1, price: 1099 },
          { sku: 'scarf-02', name: '真丝围巾', qty: 2, price: 100 },
        ],
      },
      {
        orderId: 'SO20260310002',
        externalUserId: customerId,
        amount: 199,
        status: 'refunded',
        paidAt: ago(24 * 6),
        items: [{ sku: 'cup-03', name: '保温杯', qty: 1, price: 199 }],
      },
      {
        orderId: 'SO20260315003',
        externalUserId: customerId,
        amount: 358.5,
        status: 'paid',
        paidAt: ago(26),
        items: [
          { sku: 'tea-04', name: '明前龙井礼盒', qty: 1, price: 298.5 },
          { sku: 'cup-05', name: '玻璃茶杯', qty: 2, price: 20 },
          { sku: 'bag-06', name: '礼品袋', qty: 1, price: 20 },
        ],
      },
    ]);
    await ingest('coupons', [
      {
        couponId: 'cp-soon',
        externalUserId: customerId,
        name: '满300减50',
        value: 50,
        issuedAt: ago(24 * 6),
        expiresAt: new Date(now + 5 * HOUR).toISOString(),
      },
      {
        couponId: 'cp-later',
        externalUserId: customerId,
        name: '会员日 9 折券',
        value: 30,
        issuedAt: ago(2),
        expiresAt: new Date(now + 72 * HOUR).toISOString(),
      },
    ]);
    await ingest('events', [
      {
        eventId: 'ev-1',
        externalUserId: customerId,
        kind: 'product_view',
        occurredAt: ago(3),
        data: { productName: '羊绒围巾 燕麦色' },
      },
      {
        eventId: 'ev-2',
        externalUserId: customerId,
        kind: 'cart_add',
        occurredAt: ago(2.5),
        data: { productName: '羊绒围巾 燕麦色' },
      },
      { eventId: 'ev-3', externalUserId: customerId, kind: 'member_center_visit', occurredAt: ago(1) },
    ]);

    // the coupon-expiry SOP finds the coupon expiring within 24 h and creates a task for 张三
    const rules = await app.runtime.services.sop.rules.list();
    const couponRule = rules.find((r) => r.trigger === 'coupon_expiry')!;
    await app.runtime.services.sop.engine.runRule(couponRule.id);
    const task = await app.runtime.ctx.db
      .selectFrom('sop_tasks')
      .select(['id', 'userid'])
      .where('external_userid', '=', customerId)
      .executeTakeFirst();
    expect(task?.userid).toBe('zhangsan');
    taskId = Number(task?.id ?? 0);

    await app.runtime.services.quickReplies.create(
      { userid: 'boss', name: '王主管', role: 'supervisor' } as never,
      {
        groupName: '促单',
        title: '优惠券到期提醒',
        kind: 'text',
        content: '{{name}}您好，我是{{staffName}}，您的「{{coupon}}」{{couponExpiresAt}}到期，记得使用哦～',
      },
    );
    await app.runtime.services.quickReplies.create(
      { userid: 'boss', name: '王主管', role: 'supervisor' } as never,
      {
        groupName: '售后',
        title: '退款进度',
        kind: 'text',
        content: '{{name}}，退款已原路退回，1-3 个工作日到账。',
      },
    );

    await loginAs(app, 'lisi'); // staff names are learnt at login
    cookie = await loginAs(app, 'zhangsan');
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    await fetch(`${app.url}/api/customers/${encodeURIComponent(customerId)}/notes`, {
      method: 'POST',
      headers: { cookie, origin: app.url, 'content-type': 'application/json' },
      body: JSON.stringify({ text: '客户想要燕麦色围巾，等补货后通知她', followStatus: '待回访' }),
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the customer 360 at 360 px: header, tags, stats, SOP task and a day-grouped timeline', async () => {
    expect(taskId).toBeGreaterThan(0);
    const { ctx, page } = await newPage(360);
    await page.goto(`${app.url}/customer/${encodeURIComponent(customerId)}`);
    await page.getByRole('heading', { name: /王小美/ }).waitFor();
    await page.locator('.timeline .entry').first().waitFor();

    const header = page.locator('.customer-header');
    await expect(header.getByText('微信', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(header.getByText('备注：直播间 6.18 下单客户').isVisible()).resolves.toBe(true);
    await expect(header.getByText('渠道 live0618').isVisible()).resolves.toBe(true);
    expect(await page.locator('.stat-cards').innerText()).toContain('¥1,657.50'); // 1299 + 358.5
    expect(await page.locator('.task-card').first().innerText()).toContain('满300减50');
    const timeline = await page.locator('.timeline').innerText();
    expect(timeline).toContain('今天');
    expect(timeline).toMatch(/下单 ¥358\.50（3 件）/);
    expect(timeline).toContain('张三 添加标签「高意向」');
    expect(timeline).toContain('加入购物车「羊绒围巾 燕麦色」');
    await noHorizontalScroll(page);
    await shot(page, 'sidebar-customer-360');

    await page.getByRole('tab', { name: /订单/ }).click();
    await page.locator('[data-order-id="SO20260315003"]').waitFor();
    expect(await page.locator('.orders').innerText()).toContain('退款');
    await shot(page, 'sidebar-customer-orders-360');

    await page.getByRole('tab', { name: '优惠券' }).click();
    await page.locator('.coupon.expiring').waitFor();
    await shot(page, 'sidebar-customer-coupons-360');

    await page.getByRole('tab', { name: '跟进' }).click();
    await page.locator('.notes .note-text', { hasText: '客户想要燕麦色围巾' }).waitFor();
    await shot(page, 'sidebar-customer-notes-360');

    await page.getByRole('tab', { name: '话术' }).click();
    await page.locator('.reply').first().waitFor();
    expect(await page.locator('.quick-replies').innerText()).toContain('您的「满300减50」');
    await shot(page, 'sidebar-customer-replies-360');
    await ctx.close();
  });

  it('edits tags through WeCom and adds a follow-up from the page', async () => {
    const { ctx, page } = await newPage(360);
    await page.goto(`${app.url}/customer/${encodeURIComponent(customerId)}`);
    await page.getByRole('button', { name: /编辑/ }).click();
    await page.getByRole('button', { name: '银卡会员' }).click();
    await shot(page, 'sidebar-tag-editor-360');
    await page.getByRole('button', { name: /保存/ }).click();
    await page.locator('.chip.mine', { hasText: '银卡会员' }).waitFor();
    const marks = await app.sim.sent.markTags();
    expect(marks.some((m) => JSON.stringify(m).includes('t-silver'))).toBe(true);

    await page.getByRole('tab', { name: '跟进' }).click();
    await page.getByLabel('跟进内容').fill('电话回访：周末到店试穿');
    await page.getByRole('button', { name: '已沟通' }).click();
    await page.getByRole('button', { name: '保存跟进' }).click();
    await page.locator('.note', { hasText: '电话回访：周末到店试穿' }).waitFor();
    await ctx.close();
  });

  it('fits 320 px without sideways scrolling', async () => {
    const { ctx, page } = await newPage(320);
    await page.goto(`${app.url}/customer/${encodeURIComponent(customerId)}`);
    await page.locator('.timeline .entry').first().waitFor();
    await noHorizontalScroll(page);
    const name = page.locator('.customer-header .name');
    const { scrollWidth, clientWidth } = await name.evaluate((el) => ({
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
    }));
    expect(scrollWidth, 'the long name is cut with an ellipsis').toBeGreaterThan(clientWidth);
    await shot(page, 'sidebar-customer-320');
    await ctx.close();
  });

  it('shows the group view with members linked to their customer view', async () => {
    const { ctx, page } = await newPage(360);
    await page.goto(`${app.url}/group/${encodeURIComponent(chatId)}`);
    await page.getByRole('heading', { name: '会员福利群·滨江' }).waitFor();
    expect(await page.locator('.group-view').innerText()).toContain('每周三上新');
    const link = page.locator('.members a', { hasText: '王小美' });
    await link.waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'sidebar-group-360');
    await link.click();
    await page.getByRole('heading', { name: /王小美/ }).waitFor();
    await ctx.close();
  });

  it('lists my tasks and highlights the one an app message links to', async () => {
    const { ctx, page } = await newPage(360);
    await page.goto(`${app.url}/tasks/${taskId}`);
    await page.waitForLoadState('networkidle');
    await shot(page, 'sidebar-tasks-360');
    const card = page.locator(`[data-task-id="${taskId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('highlighted');
    expect(await card.innerText()).toContain('王小美');
    await noHorizontalScroll(page);
    await shot(page, 'sidebar-tasks-360');

    // skip with a reason: the task leaves the open list
    await card.getByRole('button', { name: '跳过' }).click();
    await page.getByRole('button', { name: '客户近期已沟通' }).click();
    await page.getByRole('heading', { name: '跳过这条任务' }).waitFor();
    await shot(page, 'sidebar-skip-sheet-360');
    await page.getByRole('button', { name: '确认跳过' }).click();
    await page.getByText('已跳过').first().waitFor();
    await ctx.close();
  });

  it('outside WeCom the entry page explains where to open it', async () => {
    const { ctx, page } = await newPage(360);
    await page.goto(`${app.url}/sidebar`);
    await page.getByText('请在企业微信的聊天工具栏中打开').waitFor();
    await shot(page, 'sidebar-entry-outside-360');
    await ctx.close();
  });

  it('inside the demo chat window: the entry opens the chat’s customer and 发送 goes out through the bridge', async () => {
    // no quiet hours for this one, whatever the time of day the test runs at
    await app.runtime.services.sop.settings.put({
      pressure: { maxMessages: 5, windowDays: 7, quietHours: null },
    });
    await ingest('coupons', [
      {
        couponId: 'cp-birthday',
        externalUserId: customerId,
        name: '生日礼券',
        value: 88,
        issuedAt: new Date(Date.now() - HOUR).toISOString(),
        expiresAt: new Date(Date.now() + 8 * HOUR).toISOString(),
      },
    ]);
    const couponRule = (await app.runtime.services.sop.rules.list()).find(
      (r) => r.trigger === 'coupon_expiry',
    )!;
    expect((await app.runtime.services.sop.engine.runRule(couponRule.id)).created).toBe(1);

    const { ctx, page } = await newPage(400);
    // a stand-in for the /demo chat window: frames the sidebar and answers its WeCom calls
    await page.route(`${app.url}/__chat-window`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><body style="margin:0"><iframe id="sidebar" src="/sidebar?wecomDemo=1" style="width:380px;height:720px;border:0"></iframe><script>
          window.sent = [];
          addEventListener('message', (e) => {
            const d = e.data;
            if (!d || !d.wecomDemo || !d.method) return;
            const answers = {
              getContext: { entry: 'single_chat_tools' },
              getCurExternalContact: { userId: ${JSON.stringify(customerId)} },
              sendChatMessage: {},
            };
            if (d.method === 'sendChatMessage') window.sent.push(d.args[0]);
            e.source.postMessage({ wecomDemo: d.wecomDemo, result: answers[d.method] ?? {} }, location.origin);
          });
        </script></body>`,
      }),
    );
    await page.goto(`${app.url}/__chat-window`);
    const frame = page.frameLocator('#sidebar');
    await frame.getByRole('heading', { name: /王小美/ }).waitFor();
    const card = frame.locator('.task-card', { hasText: '生日礼券' });
    await card.getByRole('button', { name: '发送' }).click();
    await card.getByText('已发送').waitFor();
    const sent = await page.evaluate<Array<{ msgtype: string; text?: { content: string } }>>('window.sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text!.content).toContain('生日礼券');
    const row = await app.runtime.ctx.db
      .selectFrom('sop_tasks')
      .select('status')
      .where('window_key', '=', 'cp-birthday')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    // the timeline shows the send without a reload
    await frame.locator('.entry[data-kind="sop_message_sent"]', { hasText: '生日礼券' }).waitFor();
    await shot(page, 'sidebar-demo-frame-sent-400');
    await ctx.close();
  });

  it('without a session, goes through OAuth and comes back to the same view', async () => {
    const { ctx, page } = await newPage(360, { loggedIn: false });
    await app.sim.setAutoLogin('zhangsan');
    await page.goto(`${app.url}/customer/${encodeURIComponent(customerId)}?from=test`);
    await page.getByRole('heading', { name: /王小美/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/customer/${encodeURIComponent(customerId)}`);
    expect(new URL(page.url()).search).toBe('?from=test');
    await ctx.close();
  });
});
