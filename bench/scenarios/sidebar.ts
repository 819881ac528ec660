import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { createSessionStore, SESSION_COOKIE } from '../../server/http/middleware/session.js';
import { parseIngestBatch } from '../../server/services/ingest/validate.js';
import { buildSidebar } from '../../test/support/sidebar-build.js';
import type { Figure, Scenario } from '../harness.js';
import { startBenchApp } from '../support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'sidebar/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
const SECRET = 'bench-session-secret-0123';
export const CUSTOMER = 'wm-bench-sidebar-0001';
/** an empty page from the same server: what a navigation costs before any app code */
const BLANK = 'bench-blank.html';
const HOUR = 3_600_000;

/** A supervisor session written through the app's own session store, and its cookie. */
export async function supervisorCookie(app: Awaited<ReturnType<typeof startBenchApp>>): Promise<string> {
  const store = createSessionStore(app.runtime.ctx.redis, app.runtime.ctx.jobs.prefix);
  const sid = randomBytes(18).toString('base64url');
  const maxAge = 3_600_000;
  await store.set(sid, {
    cookie: {
      originalMaxAge: maxAge,
      expires: new Date(Date.now() + maxAge),
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    },
    user: { userid: 'bench-boss', name: '主管', role: 'supervisor' },
  } as never);
  const mac = createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `s:${sid}.${mac}`;
}

/** A customer with orders, coupons and behaviour: a timeline of ~60 entries. */
export async function seedCustomer(app: Awaited<ReturnType<typeof startBenchApp>>) {
  const { ingest } = app.runtime.services;
  const now = Date.now();
  const ago = (h: number) => new Date(now - h * HOUR).toISOString();
  await ingest.ingest(
    'orders',
    parseIngestBatch('orders', {
      items: Array.from({ length: 15 }, (_, i) => ({
        orderId: `bench-o-${i}`,
        externalUserId: CUSTOMER,
        amount: 99 + i * 10,
        status: i % 7 === 6 ? 'refunded' : 'paid',
        paidAt: ago(24 * (i * 3 + 1)),
        items: [
          { sku: `sku-${i}`, name: `商品 ${i}`, qty: 1, price: 59 + i * 10 },
          { sku: 'gift', name: '赠品', qty: 1, price: 40 },
        ],
      })),
    }),
  );
  await ingest.ingest(
    'coupons',
    parseIngestBatch('coupons', {
      items: [
        {
          couponId: 'bench-cp-1',
          externalUserId: CUSTOMER,
          name: '满300减50',
          value: 50,
          issuedAt: ago(48),
          expiresAt: new Date(now + 5 * HOUR).toISOString(),
        },
        {
          couponId: 'bench-cp-2',
          externalUserId: CUSTOMER,
          name: '9 折券',
          value: 30,
          issuedAt: ago(2),
          expiresAt: new Date(now + 72 * HOUR).toISOString(),
        },
      ],
    }),
  );
  await ingest.ingest(
    'events',
    parseIngestBatch('events', {
      items: Array.from({ length: 30 }, (_, i) => ({
        eventId: `bench-ev-${i}`,
        externalUserId: CUSTOMER,
        kind: i % 5 === 0 ? 'cart_add' : 'product_view',
        occurredAt: ago(i * 5 + 1),
        data: { productName: `商品 ${i % 6}` },
      })),
    }),
  );
  await app.runtime.ctx.db
    .updateTable('customers')
    .set({ name: '王小美', type: 1, channel_state: 'live0618' })
    .where('external_userid', '=', CUSTOMER)
    .execute();
}

const gzipSize = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/**
 * The sidebar entry in Chromium on localhost: what the customer view transfers (its JS and CSS,
 * gzip) and how long from navigation until it is rendered with data (header and the first
 * timeline entry), against an empty HTML page from the same server, each on a cold cache.
 */
export function sidebarScenario(): Scenario {
  let app: Awaited<ReturnType<typeof startBenchApp>>;
  let browser: Browser;
  let session = '';
  let sizes: Figure[] = [];

  /** Opens `url` on a cold cache; answers, per selector, ms from navigation start to the frame it appeared. */
  async function load(url: string, selectors: string[], collect?: (path: string, type: string) => void) {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    await ctx.addCookies([{ name: SESSION_COOKIE, value: session, url: app.runtime.url! }]);
    const page = await ctx.newPage();
    if (collect) page.on('response', (r) => collect(new URL(r.url()).pathname, r.request().resourceType()));
    await page.goto(url, { waitUntil: 'commit' });
    const times: number[] = [];
    for (const selector of selectors) {
      const at = await page.waitForFunction(
        (sel) => {
          // typed by hand: this project's Node type check has no DOM lib
          const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
          return doc.querySelector(sel) !== null && performance.now();
        },
        selector,
        { polling: 'raf', timeout: 15_000 },
      );
      times.push(Number(await at.jsonValue()));
    }
    await ctx.close();
    return times;
  }

  return {
    name: 'sidebar',
    description:
      'sidebar customer view in Chromium (localhost, cold cache): entry JS+CSS gzip and time to rendered',
    runs: 9,
    async setup() {
      if (!existsSync(CHROMIUM))
        throw new Error(`${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
      buildSidebar();
      writeFileSync(
        path.join(DIST, BLANK),
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>blank</title></head><body><main id="ready">ok</main></body></html>',
      );
      app = await startBenchApp({ sessionSecret: SECRET });
      await seedCustomer(app);
      session = await supervisorCookie(app);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

      // what the customer view loads: every script and stylesheet the page asked for
      const loaded = new Map<string, string>();
      await load(`${app.runtime.url}/customer/${CUSTOMER}`, ['.timeline .entry'], (p, type) => {
        if (type === 'script' || type === 'stylesheet') loaded.set(p, type);
      });
      // the workbench (Element Plus, ECharts) must stay out of the sidebar entry
      const workbench = [...loaded.keys()].filter(
        (p) =>
          /workbench/i.test(p) ||
          /echarts|element-plus|\bel-button\b/i.test(readFileSync(path.join(DIST, p), 'utf8')),
      );
      if (workbench.length)
        throw new Error(`the customer view loaded workbench code: ${workbench.join(', ')}`);
      let js = 0;
      let css = 0;
      for (const [p, type] of loaded) {
        const size = gzipSize(path.join(DIST, p));
        if (type === 'script') js += size;
        else css += size;
      }
      const html = gzipSize(path.join(DIST, 'index.html'));
      console.log(
        `  customer view loads ${loaded.size} files: ${[...loaded.keys()].map((p) => path.basename(p)).join(', ')}`,
      );
      const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
      sizes = [
        { name: 'entry JS (gzip)', value: kb(js), unit: 'KB', better: 'lower' },
        { name: 'entry CSS (gzip)', value: kb(css), unit: 'KB', better: 'lower' },
        {
          name: 'entry HTML+JS+CSS (gzip; budget 150)',
          value: kb(js + css + html),
          unit: 'KB',
          better: 'lower',
        },
      ];
      // warm the server (first requests compile SQL, open files)
      await load(`${app.runtime.url}/customer/${CUSTOMER}`, ['.timeline .entry']);
    },
    async run() {
      const [blank] = await load(`${app.runtime.url}/${BLANK}`, ['#ready']);
      const [header, timeline] = await load(`${app.runtime.url}/customer/${CUSTOMER}`, [
        '.customer-header .name',
        '.timeline .entry',
      ]);
      return [
        ...sizes,
        { name: 'empty HTML page rendered', value: blank!, unit: 'ms', better: 'lower' },
        {
          name: 'customer view header rendered',
          value: header!,
          unit: 'ms',
          better: 'lower',
          baseline: 'empty HTML page rendered',
        },
        {
          name: 'customer view + timeline rendered (target 1000)',
          value: timeline!,
          unit: 'ms',
          better: 'lower',
          baseline: 'empty HTML page rendered',
        },
      ];
    },
    async teardown() {
      await browser?.close();
      await app?.stop();
    },
  };
}
