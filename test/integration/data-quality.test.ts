import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/infra/clock.js';
import { schedules } from '../../server/jobs/schedules.js';
import { shanghaiDay, shanghaiDayStart } from '../../server/services/sop/time.js';
import { dataQualityRulesSchema, flagListSchema, scanResultSchema } from '../../shared/data-quality.js';
import { type SopRule, sopRuleSchema } from '../../shared/sop.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

/**
 * 数据清洗: each flag's detection (set-based SQL, daily job and POST /api/data-quality/scan),
 * the review list and clearing (a cleared flag does not come back), the rules setting, and SOP
 * audiences leaving flagged customers out unless a rule opts in.
 */

const H = 3_600_000;
const D = 86_400_000;
/** today 10:00 in Asia/Shanghai, close to the simulator's real clock */
const NOW = new Date(shanghaiDayStart(shanghaiDay(new Date())).getTime() + 10 * H);
const clock = fixedClock(NOW);
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let app: SimApp;
const cookies: Record<string, string> = {};
const db = () => app.runtime.ctx.db;

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: asUser(cookies[user]!),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function customer(id: string, c: { unionid?: string; addedAt?: Date } = {}) {
  await db()
    .insertInto('customers')
    .values({ external_userid: id, name: id, unionid: c.unionid ?? null })
    .execute();
  if (c.addedAt) {
    await db()
      .insertInto('follow_relations')
      .values({ external_userid: id, userid: 'zhangsan', added_at: c.addedAt, status: 'active' })
      .execute();
  }
}
const order = (
  id: string,
  orderId: string,
  paidAt: Date,
  couponId: string | null,
  status = 'paid' as const,
) =>
  db()
    .insertInto('orders')
    .values({
      order_id: orderId,
      external_userid: id,
      amount_fen: 10000,
      status,
      paid_at: paidAt,
      coupon_id: couponId,
    })
    .execute();
const coupon = (id: string, couponId: string, expiresAt: Date, usedAt: Date | null = null) =>
  db()
    .insertInto('coupons')
    .values({
      coupon_id: couponId,
      external_userid: id,
      name: '满100减20',
      value_fen: 2000,
      issued_at: ago(20 * D),
      expires_at: expiresAt,
      used_at: usedAt,
    })
    .execute();
const event = (id: string, eventId: string, at: Date) =>
  db()
    .insertInto('behavior_events')
    .values({ event_id: eventId, external_userid: id, kind: 'product_view', occurred_at: at, data: '{}' })
    .execute();

async function scan() {
  const res = await api('boss', 'POST', '/api/data-quality/scan');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return scanResultSchema.parse(res.body);
}
async function flags(query = '') {
  const res = await api('boss', 'GET', `/api/data-quality/flags${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return flagListSchema.parse(res.body);
}
const openOf = async (flag: string) =>
  (await flags(`?flag=${flag}`)).items.map((f) => f.externalUserid).sort();

let quickDeleter: string;
let slowDeleter: string;

beforeAll(async () => {
  app = await startSimApp({ clock });
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
  );
  for (const u of ['zhangsan', 'boss']) cookies[u] = await loginAs(app, u);

  // 秒删 through the real callbacks: one deletes at once, one after 25 h
  quickDeleter = (
    await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '秒删' },
      welcomeCode: false,
    })
  ).external_userid;
  await app.drain(); // the add is stored before the delete that follows it in the same second
  await app.sim.fire.delFollowUser({ userid: 'zhangsan', external_userid: quickDeleter });
  slowDeleter = (
    await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '慢删' },
      welcomeCode: false,
    })
  ).external_userid;
  await app.sim.advanceClock(25 * 3600);
  await app.sim.fire.delFollowUser({ userid: 'zhangsan', external_userid: slowDeleter });
  await app.drain();
  // both have been around long enough to count as interacting customers: give them an event
  await event(quickDeleter, 'e-qd', NOW);
  await event(slowDeleter, 'e-sd', NOW);

  // 零互动: added 20 days ago, nothing since; others interacted or are too new
  await customer('dq-silent', { addedAt: ago(20 * D) });
  await customer('dq-talker', { addedAt: ago(20 * D) });
  await event('dq-talker', 'e-talk', ago(19 * D));
  await customer('dq-fresh', { addedAt: ago(10 * D) });
  await customer('dq-buyer', { addedAt: ago(30 * D) });
  await order('dq-buyer', 'o-buyer', ago(29 * D), null);

  // 羊毛党
  await customer('dq-coupon1');
  await order('dq-coupon1', 'o-c1a', ago(5 * D), 'cp-1a');
  await order('dq-coupon1', 'o-c1b', ago(4 * D), 'cp-1b');
  await customer('dq-coupon2');
  await order('dq-coupon2', 'o-c2a', ago(5 * D), 'cp-2a');
  await order('dq-coupon2', 'o-c2b', ago(4 * D), null);
  await customer('dq-coupon3');
  await coupon('dq-coupon3', 'cp-3', ago(D));
  await customer('dq-coupon4');
  await coupon('dq-coupon4', 'cp-4', new Date(NOW.getTime() + 12 * H));

  // 一人多号
  await customer('dq-u1', { unionid: 'U-shared' });
  await customer('dq-u2', { unionid: 'U-shared' });
  await customer('dq-u3', { unionid: 'U-alone' });
});

afterAll(async () => {
  await app?.stop();
});

describe('detection', () => {
  it('raises each flag for exactly the customers its rule describes', async () => {
    const result = await scan();
    expect(result.flags).toEqual({
      no_interaction: { raised: 1, resolved: 0 },
      coupon_only: { raised: 2, resolved: 0 },
      quick_delete: { raised: 1, resolved: 0 },
      shared_unionid: { raised: 2, resolved: 0 },
    });
    expect(result.open).toBe(6);
    expect(await openOf('no_interaction')).toEqual(['dq-silent']);
    expect(await openOf('coupon_only')).toEqual(['dq-coupon1', 'dq-coupon3']);
    expect(await openOf('quick_delete')).toEqual([quickDeleter]);
    expect(await openOf('shared_unionid')).toEqual(['dq-u1', 'dq-u2']);

    const list = await flags();
    expect(list.openCounts).toEqual({
      no_interaction: 1,
      coupon_only: 2,
      quick_delete: 1,
      shared_unionid: 2,
    });
    const qd = list.items.find((f) => f.flag === 'quick_delete')!;
    expect(qd).toMatchObject({ label: '秒删', customerName: '秒删', clearedAt: null, staff: [] });
    expect(qd.detail).toMatchObject({ userid: 'zhangsan', hours: 24 });
    expect(list.items.find((f) => f.externalUserid === 'dq-u1')!.detail).toEqual({
      unionid: 'U-shared',
      others: ['dq-u2'],
    });

    // a rerun changes nothing
    expect((await scan()).flags.coupon_only).toEqual({ raised: 0, resolved: 0 });
  });

  it('the daily job runs the same scan', async () => {
    expect(schedules.find((s) => s.job === 'data-quality.scan')).toMatchObject({ pattern: '0 4 * * *' });
    await app.runtime.ctx.jobs.enqueue('data-quality.scan', {});
    await app.drain();
    expect((await flags()).openCounts.coupon_only).toBe(2);
  });

  it('a cleared flag does not come back for the same occurrence', async () => {
    const flag = (await flags('?flag=coupon_only')).items.find((f) => f.externalUserid === 'dq-coupon1')!;
    const cleared = await api('boss', 'POST', `/api/data-quality/flags/${flag.id}/clear`);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ id: flag.id, clearedBy: 'boss' });
    expect(cleared.body.clearedAt).toBe(NOW.toISOString());
    // clearing again is harmless
    expect((await api('boss', 'POST', `/api/data-quality/flags/${flag.id}/clear`)).body.clearedBy).toBe(
      'boss',
    );
    expect((await api('boss', 'POST', '/api/data-quality/flags/999999/clear')).status).toBe(404);

    expect((await scan()).flags.coupon_only).toEqual({ raised: 0, resolved: 0 });
    expect(await openOf('coupon_only')).toEqual(['dq-coupon3']);
    const done = await flags('?flag=coupon_only&status=cleared');
    expect(done.items.map((f) => f.externalUserid)).toEqual(['dq-coupon1']);
    expect((await flags('?status=all')).items).toHaveLength(6);
  });

  it('flags whose condition no longer holds close by themselves, and reopen if it holds again', async () => {
    await event('dq-silent', 'e-late', ago(H));
    expect((await scan()).flags.no_interaction).toEqual({ raised: 0, resolved: 1 });
    const closed = (await flags('?flag=no_interaction&status=cleared')).items[0]!;
    expect(closed).toMatchObject({ externalUserid: 'dq-silent', clearedBy: 'system' });

    await db().deleteFrom('behavior_events').where('event_id', '=', 'e-late').execute();
    expect((await scan()).flags.no_interaction).toEqual({ raised: 1, resolved: 0 });
    expect(await openOf('no_interaction')).toEqual(['dq-silent']);

    // a paid order without a coupon refunded: dq-coupon2 is now coupon-only
    await db().updateTable('orders').set({ status: 'refunded' }).where('order_id', '=', 'o-c2b').execute();
    expect((await scan()).flags.coupon_only).toEqual({ raised: 1, resolved: 0 });
  });

  it('rules are a setting: merged, validated, and used by the next scan', async () => {
    const got = await api('boss', 'GET', '/api/data-quality/rules');
    expect(got.body).toEqual(dataQualityRulesSchema.parse({}));
    expect(
      (await api('boss', 'PUT', '/api/data-quality/rules', { no_interaction: { days: 0 } })).status,
    ).toBe(400);
    const put = await api('boss', 'PUT', '/api/data-quality/rules', {
      no_interaction: { days: 25 },
      shared_unionid: { enabled: false },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      no_interaction: { enabled: true, days: 25 },
      shared_unionid: { enabled: false },
    });
    const result = await scan();
    // 20 days is no longer long enough; a disabled rule is not run (its flags stay as they are)
    expect(result.flags.no_interaction).toEqual({ raised: 0, resolved: 1 });
    expect(result.flags.shared_unionid).toBeUndefined();
    expect(await openOf('shared_unionid')).toEqual(['dq-u1', 'dq-u2']);
    await api('boss', 'PUT', '/api/data-quality/rules', {
      no_interaction: { days: 14 },
      shared_unionid: { enabled: true },
    });
  });
});

describe('SOP audiences leave flagged customers out', () => {
  it('unless the rule opts in with audience.includeFlagged', async () => {
    // two followed customers with a coupon about to expire; one of them shares a unionid (flagged)
    await customer('sop-clean', { addedAt: ago(3 * D) });
    await customer('sop-flagged', { addedAt: ago(3 * D), unionid: 'U-sop' });
    await customer('sop-twin', { unionid: 'U-sop' });
    for (const id of ['sop-clean', 'sop-flagged']) {
      await event(id, `e-${id}`, ago(H));
      await coupon(id, `cp-${id}`, new Date(NOW.getTime() + 6 * H));
    }
    await scan();
    expect(await openOf('shared_unionid')).toContain('sop-flagged');

    const rules: SopRule[] = (await api('boss', 'GET', '/api/sop-rules')).body.rules.map((r: unknown) =>
      sopRuleSchema.parse(r),
    );
    const rule = rules.find((r) => r.trigger === 'coupon_expiry')!;
    expect(rule.audience.includeFlagged).toBe(false);
    const run = await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`);
    expect(run.body).toMatchObject({ matched: 1, created: 1 });
    const tasked = async () =>
      (await db().selectFrom('sop_tasks').select('external_userid').where('rule_id', '=', rule.id).execute())
        .map((t) => t.external_userid)
        .sort();
    expect(await tasked()).toEqual(['sop-clean']);

    const put = await api('boss', 'PUT', `/api/sop-rules/${rule.id}`, {
      audience: { ...rule.audience, includeFlagged: true },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.audience.includeFlagged).toBe(true);
    expect((await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`)).body).toMatchObject({ created: 1 });
    expect(await tasked()).toEqual(['sop-clean', 'sop-flagged']);
  });

  it('a cleared flag lets the customer back into audiences', async () => {
    await customer('sop-later', { addedAt: ago(3 * D), unionid: 'U-later' });
    await customer('sop-later-twin', { unionid: 'U-later' });
    await event('sop-later', 'e-later', ago(H));
    await coupon('sop-later', 'cp-later', new Date(NOW.getTime() + 6 * H));
    await scan();
    const rule = (await api('boss', 'GET', '/api/sop-rules')).body.rules.find(
      (r: SopRule) => r.trigger === 'coupon_expiry',
    );
    await api('boss', 'PUT', `/api/sop-rules/${rule.id}`, {
      audience: { ...rule.audience, includeFlagged: false },
    });
    expect((await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`)).body).toMatchObject({ created: 0 });
    const flag = (await flags('?flag=shared_unionid')).items.find((f) => f.externalUserid === 'sop-later')!;
    await api('boss', 'POST', `/api/data-quality/flags/${flag.id}/clear`);
    expect((await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`)).body).toMatchObject({ created: 1 });
  });
});
