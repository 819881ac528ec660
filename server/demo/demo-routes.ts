import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import type { ScanResult } from '../../shared/sop.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { findSidebarDist } from '../http/sidebar-static.js';
import type { Services } from '../services/container.js';
import type { DemoWeCom } from './demo-wecom.js';
import { DEMO_STAFF } from './seed-data.js';

const actSchema = z.object({
  action: z.enum(['view3', 'cart', 'coupon12h', 'order', 'delete', 'newCustomer', 'runRules']),
  userid: z.string().min(1),
  externalUserid: z.string().min(1).optional(),
});

const NEW_NAMES = ['林小满', '苏念', '顾一一', '沈星河', '许嘉禾', '宋知夏'];

/**
 * The demo chat window (`/demo`) and the endpoints behind its buttons. Mounted in demo mode only.
 * Behaviour goes in the way real systems send it: signed ingest requests to our own API, and
 * WeCom events fired by the simulator.
 */
export function demoRoutes(ctx: AppContext, services: Services, demo: DemoWeCom): Router {
  const router = Router();
  const { db, config } = ctx;

  router.get('/demo', (_req, res) => {
    const dist = findSidebarDist();
    if (!dist) throw new AppError('not_found', 'build the sidebar first: npm run build');
    res.sendFile(path.join(dist, 'demo.html'));
  });

  router.use('/demo/api', express.json({ limit: '16kb' }));

  router.get('/demo/api/world', async (_req, res) => {
    const staff = await db.selectFrom('staff').select(['userid', 'name']).orderBy('userid').execute();
    const customers = await db
      .selectFrom('follow_relations as f')
      .innerJoin('customers as c', 'c.external_userid', 'f.external_userid')
      .select([
        'c.external_userid as externalUserid',
        'c.name',
        'c.avatar',
        'c.lifecycle_stage as lifecycleStage',
        'f.userid',
      ])
      .where('f.status', 'in', ['active', 'half'])
      .orderBy('f.added_at', 'desc')
      .execute();
    const known = new Map(DEMO_STAFF.map((s) => [s.userid, s.name]));
    res.json({
      staff: staff.map((s) => ({ userid: s.userid, name: s.name || known.get(s.userid) || s.userid })),
      customers,
    });
  });

  router.post('/demo/api/login', async (req, res) => {
    const { userid, redirect } = z
      .object({
        userid: z.string().min(1),
        redirect: z.enum(['/?wecomDemo=1', '/workbench']).default('/?wecomDemo=1'),
      })
      .parse(req.body);
    await demo.control.setAutoLogin(userid);
    res.json({ loginUrl: `/auth/login?redirect=${encodeURIComponent(redirect)}` });
  });

  async function ingest(req: Request, kind: 'events' | 'orders' | 'coupons', items: unknown[]) {
    const body = JSON.stringify({ items });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', config.ingestSecret).update(`${timestamp}.${body}`).digest('hex');
    const res = await fetch(`http://127.0.0.1:${req.socket.localPort}/api/ingest/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': timestamp,
        'x-signature': `sha256=${signature}`,
      },
      body,
    });
    if (!res.ok) throw new AppError('bad_request', `ingest answered ${res.status}: ${await res.text()}`);
  }

  router.post('/demo/api/act', async (req, res) => {
    const { action, userid, externalUserid } = actSchema.parse(req.body);
    const now = new Date();
    const need = () => {
      if (!externalUserid) throw new AppError('bad_request', 'choose a customer first');
      return externalUserid;
    };
    const event = (kind: string, data: Record<string, unknown> = {}) => ({
      eventId: `demo-${randomUUID()}`,
      externalUserId: need(),
      kind,
      occurredAt: now.toISOString(),
      data,
    });
    switch (action) {
      case 'view3':
        await ingest(
          req,
          'events',
          [1, 2, 3].map(() => event('product_view', { sku: 'SERUM-30', productName: '修护精华液 30ml' })),
        );
        return res.json({ message: '客户浏览了 3 次「修护精华液」' });
      case 'cart':
        await ingest(req, 'events', [event('cart_add', { sku: 'SERUM-30', productName: '修护精华液 30ml' })]);
        return res.json({ message: '客户把「修护精华液」加入了购物车' });
      case 'coupon12h':
        await ingest(req, 'coupons', [
          {
            couponId: `demo-${randomUUID()}`,
            externalUserId: need(),
            name: '限时满 300 减 50',
            value: '50.00',
            issuedAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + 12 * 3600 * 1000).toISOString(),
          },
        ]);
        return res.json({ message: '客户领取了 12 小时后到期的「限时满 300 减 50」' });
      case 'order':
        await ingest(req, 'orders', [
          {
            orderId: `demo-${randomUUID()}`,
            externalUserId: need(),
            amount: '299.00',
            status: 'paid',
            paidAt: now.toISOString(),
            items: [{ sku: 'SERUM-30', name: '修护精华液 30ml', qty: 1, price: '299.00' }],
          },
        ]);
        return res.json({ message: '客户下单 ¥299.00' });
      case 'delete':
        await demo.control.fire.delFollowUser({ userid, external_userid: need() });
        return res.json({ message: '客户删除了你（单删），稍后会收到应用消息提醒' });
      case 'newCustomer': {
        const name = NEW_NAMES[Math.floor(Math.random() * NEW_NAMES.length)]!;
        const fired = await demo.control.fire.addExternalContact({
          userid,
          customer: { name, type: 1 },
          state: 'live0618',
        });
        await waitForCustomer(fired.external_userid);
        return res.json({
          message: `新客户「${name}」通过直播间活码添加了你`,
          externalUserid: fired.external_userid,
        });
      }
      case 'runRules': {
        const total: ScanResult = { matched: 0, created: 0, capped: 0, skipped: 0 };
        for (const rule of await services.sop.rules.list()) {
          if (!rule.enabled) continue;
          const r = await services.sop.engine.runRule(rule.id);
          total.matched += r.matched;
          total.created += r.created;
          total.capped += r.capped;
          total.skipped += r.skipped;
        }
        return res.json({
          message: `命中 ${total.matched} 位客户，新建 ${total.created} 个任务，频控拦下 ${total.capped} 个`,
        });
      }
    }
  });

  async function waitForCustomer(externalUserid: string) {
    for (let i = 0; i < 50; i++) {
      const row = await db
        .selectFrom('follow_relations')
        .select('userid')
        .where('external_userid', '=', externalUserid)
        .executeTakeFirst();
      if (row) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return router;
}
