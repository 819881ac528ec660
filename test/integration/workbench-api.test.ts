import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIngestBody } from '../../server/http/middleware/ingest-signature.js';
import { fixedClock } from '../../server/infra/clock.js';
import { shanghaiDay, shanghaiDayStart } from '../../server/services/sop/time.js';
import { REMIND_INTERVAL_SECONDS } from '../../server/services/workbench/reminders.js';
import { type SopRule, sopRuleSchema } from '../../shared/sop.js';
import { audienceOptionsSchema, remindResultSchema } from '../../shared/workbench.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

/** The workbench's own endpoints: POST /api/workbench/remind and GET /api/workbench/audience-options. */

const H = 3_600_000;
/** today 10:00 in Asia/Shanghai: outside quiet hours */
const T0 = new Date(shanghaiDayStart(shanghaiDay(new Date())).getTime() + 10 * H);
const clock = fixedClock(T0);

let app: SimApp;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  app = await startSimApp({ clock });
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
    { userid: 'root', name: '管理员' },
  );
  for (const userid of ['zhangsan', 'lisi', 'boss', 'root']) cookies[userid] = await loginAs(app, userid);
  for (const rule of await rules()) await api('boss', 'PUT', `/api/sop-rules/${rule.id}`, { schedule: null });
});

afterAll(async () => {
  await app?.stop();
});

async function api(user: string | undefined, method: string, path: string, body?: unknown, origin?: string) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: user
      ? asUser(cookies[user]!, origin)
      : { 'content-type': 'application/json', origin: origin ?? 'http://localhost:3000' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function rules(): Promise<SopRule[]> {
  const res = await api('boss', 'GET', '/api/sop-rules');
  return res.body.rules.map((r: unknown) => sopRuleSchema.parse(r));
}

async function ingestCoupon(externalUserId: string, couponId: string) {
  const raw = JSON.stringify({
    items: [
      {
        couponId,
        externalUserId,
        name: '满100减10',
        value: '10',
        issuedAt: clock.now().toISOString(),
        expiresAt: new Date(clock.now().getTime() + 5 * H).toISOString(),
      },
    ],
  });
  const ts = Math.floor(clock.now().getTime() / 1000);
  const res = await fetch(`${app.url}/api/ingest/coupons`, {
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

const cardsTo = async (userid: string) =>
  (await app.sim.sent.appMessages()).filter((m) => m.touser.includes(userid) && m.msgtype === 'textcard');

describe('access', () => {
  it('answers 401 without a session', async () => {
    expect((await api(undefined, 'POST', '/api/workbench/remind', { userid: 'zhangsan' })).status).toBe(401);
    expect((await api(undefined, 'GET', '/api/workbench/audience-options')).status).toBe(401);
  });

  it('answers 403 to staff', async () => {
    const remind = await api('zhangsan', 'POST', '/api/workbench/remind', { userid: 'lisi' });
    expect(remind.status).toBe(403);
    expect(remind.body.error.code).toBe('forbidden');
    expect((await api('zhangsan', 'GET', '/api/workbench/audience-options')).status).toBe(403);
  });

  it('refuses a cross-origin reminder', async () => {
    expect(
      (await api('boss', 'POST', '/api/workbench/remind', { userid: 'zhangsan' }, 'https://evil.example'))
        .status,
    ).toBe(403);
  });
});

describe('GET /api/workbench/audience-options', () => {
  it('lists active salespeople and the channel codes customers came through', async () => {
    await app.sim.fire.addExternalContact({
      userid: 'lisi',
      customer: { name: '渠道客' },
      state: 'spring_fair',
      welcomeCode: false,
    });
    await app.drain();
    // 渠道活码 channels name their codes; one has brought no customers yet
    await app.runtime.ctx.db
      .insertInto('channels')
      .values([
        { name: '春季展会', state: 'spring_fair' },
        { name: '秋季广告', state: 'autumn_ad' },
      ])
      .execute();
    for (const user of ['boss', 'root']) {
      const res = await api(user, 'GET', '/api/workbench/audience-options');
      expect(res.status).toBe(200);
      const options = audienceOptionsSchema.parse(res.body);
      expect(options.staff).toEqual(
        expect.arrayContaining([
          { userid: 'zhangsan', name: '张三' },
          { userid: 'lisi', name: '李四' },
        ]),
      );
      expect(options.channels).toContainEqual({ state: 'spring_fair', name: '春季展会', customers: 1 });
      expect(options.channels).toContainEqual({ state: 'autumn_ad', name: '秋季广告', customers: 0 });
    }
  });
});

describe('POST /api/workbench/remind', () => {
  it('validates the body and the salesperson', async () => {
    const bad = await api('boss', 'POST', '/api/workbench/remind', {});
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toContainEqual(expect.objectContaining({ path: 'userid' }));
    expect((await api('boss', 'POST', '/api/workbench/remind', { userid: 'nobody' })).status).toBe(404);
  });

  it('has nothing to remind a salesperson without open tasks of', async () => {
    const res = await api('boss', 'POST', '/api/workbench/remind', { userid: 'zhangsan' });
    expect(res.status).toBe(409);
    expect(await cardsTo('zhangsan')).toEqual([]);
  });

  it('sends the salesperson a textcard to their tasks, once per hour', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '王小美' },
      welcomeCode: false,
    });
    await app.drain();
    await ingestCoupon(fired.external_userid, 'wb-c1');
    const coupon = (await rules()).find((r) => r.trigger === 'coupon_expiry')!;
    const run = await api('boss', 'POST', `/api/sop-rules/${coupon.id}/run`);
    expect(run.body).toMatchObject({ created: 1 });
    await app.drain();
    const before = (await cardsTo('zhangsan')).length;
    // past the due time: the task is overdue now
    clock.advance(coupon.dueMinutes * 60_000 + H);

    const res = await api('boss', 'POST', '/api/workbench/remind', { userid: 'zhangsan' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const result = remindResultSchema.parse(res.body);
    expect(result).toMatchObject({
      userid: 'zhangsan',
      name: '张三',
      open: 1,
      overdue: 1,
      sentAt: clock.now().toISOString(),
    });
    expect(Date.parse(result.nextAllowedAt) - Date.parse(result.sentAt)).toBe(REMIND_INTERVAL_SECONDS * 1000);

    const cards = await cardsTo('zhangsan');
    expect(cards).toHaveLength(before + 1);
    const card = cards.at(-1)!.body.textcard as { title: string; description: string; url: string };
    expect(card.url).toBe(`${app.config.publicUrl}/tasks`);
    expect(card.description).toContain('王主管');
    expect(card.description).toContain('已逾期 1 条');

    const again = await api('root', 'POST', '/api/workbench/remind', { userid: 'zhangsan' });
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('rate_limited');
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(REMIND_INTERVAL_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(REMIND_INTERVAL_SECONDS);
    expect(await cardsTo('zhangsan')).toHaveLength(before + 1);
  });

  it('frees the hour when WeCom refuses the message, so a retry goes out', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'lisi',
      customer: { name: '赵先生' },
      welcomeCode: false,
    });
    await app.drain();
    await ingestCoupon(fired.external_userid, 'wb-c2');
    const coupon = (await rules()).find((r) => r.trigger === 'coupon_expiry')!;
    expect((await api('boss', 'POST', `/api/sop-rules/${coupon.id}/run`)).body).toMatchObject({ created: 1 });
    await app.drain();
    const before = (await cardsTo('lisi')).length;

    await app.sim.injectFault({ path: 'message/send', errcode: 48002, errmsg: 'api forbidden' });
    const failed = await api('boss', 'POST', '/api/workbench/remind', { userid: 'lisi' });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('wecom_error');
    expect(await cardsTo('lisi')).toHaveLength(before);

    const retry = await api('boss', 'POST', '/api/workbench/remind', { userid: 'lisi' });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body).toMatchObject({ open: 1, overdue: 0 });
    expect(await cardsTo('lisi')).toHaveLength(before + 1);
  });
});
