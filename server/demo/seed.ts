import { couponItemSchema, eventItemSchema, orderItemSchema } from '../../shared/ingest.js';
import type { SimulatorClient } from '../../simulator/client.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { getSetting, putSetting } from '../repositories/settings.js';
import type { Services } from '../services/container.js';
import {
  DEMO_SALES,
  DEMO_STAFF,
  DEMO_TAG_GROUPS,
  type DemoCustomer,
  demoCustomers,
  PRODUCTS,
  prng,
} from './seed-data.js';

const SEEDED_KEY = 'demo.seeded';
const DAY = 24 * 3600 * 1000;

/** Puts the demo world into the simulator; runs on every start because the simulator forgets. */
export async function seedSimulator(sim: SimulatorClient, now: Date): Promise<void> {
  await sim.addStaff(...DEMO_STAFF.map((s) => ({ ...s, hasContactPermission: true })));
  await sim.upsertTagGroups(...DEMO_TAG_GROUPS);
  const customers = demoCustomers();
  const unix = (daysAgo: number) => Math.floor((now.getTime() - daysAgo * DAY) / 1000);
  await sim.addCustomers(
    customers.map((c) => ({
      external_userid: c.externalUserid,
      name: c.name,
      type: c.type,
      gender: c.gender,
      follow_users: [
        {
          userid: c.userid,
          remark: c.persona === 'vip' ? `${c.name}（老客）` : '',
          createtime: unix(c.addedDaysAgo),
          state: c.state,
          add_way: 1,
          tag_ids: c.tagIds,
        },
      ],
    })),
  );
  const member = (c: DemoCustomer, daysAgo: number) => ({
    userid: c.externalUserid,
    type: 2 as const,
    join_time: unix(daysAgo),
    join_scene: 3,
    name: c.name,
  });
  await sim.addGroups([
    {
      chat_id: 'wrdemo-vip-club',
      name: '会员福利群',
      owner: 'wangfang',
      notice: '每周三上新，群内专享 9 折',
      create_time: unix(120),
      members: [
        { userid: 'wangfang', type: 1, join_time: unix(120) },
        ...customers
          .filter((c) => c.persona === 'vip' || c.persona === 'fading')
          .map((c, i) => member(c, 100 - i * 9)),
      ],
    },
    {
      chat_id: 'wrdemo-new-arrivals',
      name: '新品体验群',
      owner: 'lina',
      notice: '新品试用名额每周五公布',
      create_time: unix(40),
      members: [
        { userid: 'lina', type: 1, join_time: unix(40) },
        { userid: 'chenchen', type: 1, join_time: unix(39) },
        ...customers
          .filter((c) => c.persona === 'regular' || c.persona === 'new')
          .map((c, i) => member(c, 30 - i)),
      ],
    },
  ]);
}

function daysAgo(now: Date, days: number, rand: () => number): string {
  return new Date(now.getTime() - days * DAY - Math.floor(rand() * 8 * 3600 * 1000)).toISOString();
}

/** Orders, coupons and behaviour for the past 90 days, shaped by each customer's persona. */
export function demoActivity(now: Date) {
  const rand = prng(90);
  const orders: unknown[] = [];
  const coupons: unknown[] = [];
  const events: unknown[] = [];
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  for (const c of demoCustomers()) {
    const plan: Record<DemoCustomer['persona'], { orders: number[]; events: number[] }> = {
      vip: { orders: [8, 26, 47, 70, 88], events: [1, 2, 3, 5, 9, 12] },
      regular: { orders: [18, 52], events: [4, 11, 20] },
      new: { orders: [], events: [0, 1] },
      fading: { orders: [38, 60, 84], events: [16, 18, 21, 24, 27] },
      silent: { orders: [95], events: [] },
    };
    const { orders: orderDays, events: eventDays } = plan[c.persona];
    orderDays.forEach((d, i) => {
      const lines =
        c.persona === 'vip' || c.persona === 'fading'
          ? [PRODUCTS[4]!, pick(PRODUCTS)]
          : [pick(PRODUCTS.slice(0, 4)), ...(rand() < 0.4 ? [PRODUCTS[2]!] : [])];
      const amount = lines.reduce((sum, p) => sum + p.price, 0);
      const refunded = c.persona === 'regular' && i === 1 && rand() < 0.3;
      orders.push({
        orderId: `demo-${c.externalUserid}-o${i + 1}`,
        externalUserId: c.externalUserid,
        amount: amount.toFixed(2),
        status: refunded ? 'refunded' : 'paid',
        paidAt: daysAgo(now, d, rand),
        items: lines.map((p) => ({ sku: p.sku, name: p.name, qty: 1, price: p.price.toFixed(2) })),
      });
    });
    eventDays.forEach((d, i) => {
      const kind = i % 4 === 3 ? 'cart_add' : i % 3 === 2 ? 'member_center_visit' : 'product_view';
      events.push({
        eventId: `demo-${c.externalUserid}-e${i + 1}`,
        externalUserId: c.externalUserid,
        kind,
        occurredAt: daysAgo(now, d, rand),
        data: { sku: pick(PRODUCTS).sku, productName: pick(PRODUCTS).name },
      });
    });
    const issued = Math.min(c.addedDaysAgo, 30);
    coupons.push({
      couponId: `demo-${c.externalUserid}-c1`,
      externalUserId: c.externalUserid,
      name: c.persona === 'vip' ? '会员专享满 500 减 80' : '新客立减 20 元',
      value: c.persona === 'vip' ? '80.00' : '20.00',
      issuedAt: daysAgo(now, issued, rand),
      expiresAt: new Date(
        now.getTime() + (c.persona === 'fading' ? 0.5 : 10 + (issued % 20)) * DAY,
      ).toISOString(),
      ...(c.persona === 'regular' ? { usedAt: daysAgo(now, Math.max(0, issued - 3), rand) } : {}),
    });
  }
  return {
    orders: orders.map((o) => orderItemSchema.parse(o)),
    events: events.map((e) => eventItemSchema.parse(e)),
    coupons: coupons.map((c) => couponItemSchema.parse(c)),
  };
}

/**
 * First start in demo mode: imports the simulator's world through the real full sync, then the
 * business data through the real ingest service. Later starts leave the database alone.
 */
export async function seedDemoDatabase(deps: { db: Db; clock: Clock; logger: Logger; services: Services }) {
  const { db, clock, logger, services } = deps;
  if (await getSetting<unknown>(db, SEEDED_KEY, null)) return;
  await services.fullSync.run('demo-seed');
  const activity = demoActivity(clock.now());
  await services.ingest.ingestOrders(activity.orders);
  await services.ingest.ingestEvents(activity.events);
  await services.ingest.ingestCoupons(activity.coupons);
  await putSetting(db, SEEDED_KEY, { at: clock.now(), salespeople: DEMO_SALES }, clock.now());
  logger.info(
    { customers: 50, orders: activity.orders.length, coupons: activity.coupons.length },
    'demo data seeded',
  );
}
