import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDay } from '../../server/services/sop/time.js';
import {
  type Channel,
  channelListSchema,
  channelReportSchema,
  channelSchema,
} from '../../shared/channels.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';
import { eventually } from '../support/wait.js';

/**
 * 渠道活码 end to end: the app on real Redis and a fresh database, the WeCom simulator over HTTP.
 * Channel CRUD creates/updates/deletes WeCom contact ways; a customer added through a code gets
 * the channel's tags (mark_tag) and welcome text, and the channel report counts them.
 */

let app: SimApp;
const cookies: Record<string, string> = {};
const db = () => app.runtime.ctx.db;
const today = () => shanghaiDay(new Date());

beforeAll(async () => {
  app = await startSimApp();
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
    { userid: 'root', name: '管理员' },
  );
  await app.sim.upsertTagGroups({
    group_id: 'g-src',
    group_name: '来源',
    tags: [
      { id: 't-live', name: '直播间' },
      { id: 't-card', name: '包裹卡' },
    ],
  });
  await app.runtime.services.tagCatalogue.resync();
  for (const u of ['zhangsan', 'boss', 'root']) cookies[u] = await loginAs(app, u);
});

afterAll(async () => {
  await app?.stop();
});

async function api(user: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: user
      ? asUser(cookies[user]!)
      : { 'content-type': 'application/json', origin: 'http://localhost:3000' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const channelRows = () => db().selectFrom('channels').selectAll().orderBy('id').execute();

async function report(from = today(), to = today()) {
  const res = await api('boss', 'GET', `/api/reports/channels?from=${from}&to=${to}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return channelReportSchema.parse(res.body);
}

describe('every new route is for supervisors and admins', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/channels'],
    ['POST', '/api/channels', { name: 'x', staffUserids: ['zhangsan'] }],
    ['GET', '/api/channels/1'],
    ['PUT', '/api/channels/1', { name: 'y' }],
    ['DELETE', '/api/channels/1'],
    ['GET', '/api/reports/channels?from=2025-01-01&to=2025-01-31'],
    ['GET', '/api/reports/customers?from=2025-01-01&to=2025-01-31'],
    ['GET', '/api/reports/content?from=2025-01-01&to=2025-01-31'],
    ['GET', '/api/targets?month=2025-01'],
    ['PUT', '/api/targets', { month: '2025-01', targets: [] }],
    ['GET', '/api/data-quality/flags'],
    ['POST', '/api/data-quality/flags/1/clear'],
    ['POST', '/api/data-quality/scan'],
    ['GET', '/api/data-quality/rules'],
    ['PUT', '/api/data-quality/rules', {}],
  ];
  it('401 without a session, 403 for staff', async () => {
    for (const [method, path, body] of routes) {
      expect((await api(undefined, method, path, body)).status, `${method} ${path}`).toBe(401);
      expect((await api('zhangsan', method, path, body)).status, `${method} ${path}`).toBe(403);
    }
    expect(await channelRows()).toEqual([]);
  });
});

describe('channel CRUD through WeCom contact ways', () => {
  let channel: Channel;

  it('creates a single-person QR contact way with a state of ours', async () => {
    const res = await api('boss', 'POST', '/api/channels', {
      name: '618直播间',
      staffUserids: ['zhangsan'],
      tagIds: ['t-live'],
      welcomeText: '{{name}}您好，我是{{staffName}}，直播间专属福利已为您预留～',
      cost: '1200.50',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    channel = channelSchema.parse(res.body);
    expect(channel).toMatchObject({
      name: '618直播间',
      staffUserids: ['zhangsan'],
      tagIds: ['t-live'],
      cost: 1200.5,
      costFen: 120050,
    });
    expect(channel.state).toMatch(/^ch[0-9a-f]{12}$/);
    const ways = await app.sim.contactWays();
    expect(ways).toHaveLength(1);
    expect(ways[0]).toMatchObject({
      config_id: channel.configId,
      type: 1,
      scene: 2,
      state: channel.state,
      user: ['zhangsan'],
      qr_code: channel.qrCode,
    });
    // the QR code is an image a browser can load, also from our own origin and as a download
    const png = await fetch(channel.qrCode!);
    expect(png.headers.get('content-type')).toContain('image/png');
    const own = await fetch(`${app.url}/api/channels/${channel.id}/qr?download=1`, {
      headers: asUser(cookies.boss!),
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toContain('image/png');
    expect(own.headers.get('content-disposition')).toContain(encodeURIComponent('618直播间'));
    expect(
      Buffer.from(await own.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect((await api('zhangsan', 'GET', `/api/channels/${channel.id}/qr`)).status).toBe(403);
  });

  it('validates input and refuses unknown tags without calling WeCom', async () => {
    const before = (await app.sim.counters()).calls['externalcontact/add_contact_way'] ?? 0;
    const bad = await api('boss', 'POST', '/api/channels', { name: '', staffUserids: [], cost: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'cost',
      'name',
      'staffUserids',
    ]);
    const unknownTag = await api('boss', 'POST', '/api/channels', {
      name: 'x',
      staffUserids: ['zhangsan'],
      tagIds: ['t-nope'],
    });
    expect(unknownTag.status).toBe(400);
    expect((await app.sim.counters()).calls['externalcontact/add_contact_way'] ?? 0).toBe(before);
    expect(await channelRows()).toHaveLength(1);
  });

  it('a WeCom refusal stores nothing and answers 502', async () => {
    await app.sim.injectFault({
      path: 'externalcontact/add_contact_way',
      errcode: 40003,
      errmsg: 'invalid userid',
    });
    const res = await api('boss', 'POST', '/api/channels', { name: '包裹卡', staffUserids: ['zhangsan'] });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('wecom_error');
    expect(res.body.error.message).toContain('40003');
    expect(await channelRows()).toHaveLength(1);
    expect(await app.sim.contactWays()).toHaveLength(1);
  });

  it('updates staff: single → multi-person makes a new code with the same state', async () => {
    const res = await api('boss', 'PUT', `/api/channels/${channel.id}`, {
      staffUserids: ['zhangsan', 'lisi'],
      cost: 1000,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const updated = channelSchema.parse(res.body);
    expect(updated).toMatchObject({
      state: channel.state,
      staffUserids: ['zhangsan', 'lisi'],
      costFen: 100000,
    });
    expect(updated.configId).not.toBe(channel.configId);
    const ways = await app.sim.contactWays();
    expect(ways).toHaveLength(1);
    expect(ways[0]).toMatchObject({
      config_id: updated.configId,
      type: 2,
      state: channel.state,
      user: ['zhangsan', 'lisi'],
    });
    channel = updated;

    const renamed = await api('boss', 'PUT', `/api/channels/${channel.id}`, {
      name: '618直播间（返场）',
      staffUserids: ['lisi', 'zhangsan'],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.configId).toBe(channel.configId);
    expect((await app.sim.contactWays())[0]).toMatchObject({
      user: ['lisi', 'zhangsan'],
      remark: '618直播间（返场）',
    });
    channel = channelSchema.parse(renamed.body);
  });

  it('a refused update changes nothing', async () => {
    await app.sim.injectFault({ path: 'externalcontact/update_contact_way', errcode: 40003 });
    const res = await api('boss', 'PUT', `/api/channels/${channel.id}`, {
      staffUserids: ['lisi', 'zhangsan', 'root'],
    });
    expect(res.status).toBe(502);
    const stored = await api('boss', 'GET', `/api/channels/${channel.id}`);
    expect(stored.body).toEqual(channel);
  });

  it('a customer added through the code gets the channel’s tags and welcome text; the report counts them', async () => {
    const before = (await report()).rows.find((r) => r.state === channel.state);
    expect(before).toMatchObject({ channelId: channel.id, name: channel.name, added: 0 });

    const fired = await app.sim.fire.addExternalContact({
      config_id: channel.configId!,
      customer: { name: '林小姐' },
    });
    expect(fired.status).toBe(200);
    await app.drain();
    const customer = fired.external_userid;
    const userid = fired.userid;
    expect(userid).toBe('lisi'); // the contact way's first salesperson

    const marks = await eventually(
      () => app.sim.sent.markTags(),
      (m) => m.some((x) => x.external_userid === customer),
    );
    expect(marks.filter((m) => m.external_userid === customer)).toEqual([
      expect.objectContaining({ userid, external_userid: customer, add_tag: ['t-live'], remove_tag: [] }),
    ]);
    const welcome = (await app.sim.sent.welcomeMessages()).find((w) => w.external_userid === customer);
    expect(welcome?.text?.content).toBe('林小姐您好，我是李四，直播间专属福利已为您预留～');

    const tags = await db()
      .selectFrom('customer_tags')
      .select('tag_id')
      .where('external_userid', '=', customer)
      .execute();
    expect(tags.map((t) => t.tag_id)).toEqual(['t-live']);
    const cu = await db()
      .selectFrom('customers')
      .select('channel_state')
      .where('external_userid', '=', customer)
      .executeTakeFirstOrThrow();
    expect(cu.channel_state).toBe(channel.state);
    const timeline = await db()
      .selectFrom('timeline')
      .select(['kind', 'data'])
      .where('external_userid', '=', customer)
      .execute();
    expect(timeline.filter((t) => t.kind === 'tag_added')).toHaveLength(1);

    const after = (await report()).rows.find((r) => r.state === channel.state)!;
    expect(after).toMatchObject({
      added: 1,
      customers: 1,
      deletedByCustomer: 0,
      totalCostFen: 100000,
      costFen: 100000,
    });

    // the customer deletes the salesperson: the channel's 单删 moves
    await app.sim.fire.delFollowUser({ userid, external_userid: customer });
    await app.drain();
    expect((await report()).rows.find((r) => r.state === channel.state)).toMatchObject({
      added: 1,
      deletedByCustomer: 1,
    });
  });

  it('a customer added without a channel gets the default welcome and no channel tags', async () => {
    const fired = await app.sim.fire.addExternalContact({ userid: 'zhangsan', customer: { name: '路人甲' } });
    await app.drain();
    const welcome = (await app.sim.sent.welcomeMessages()).find(
      (w) => w.external_userid === fired.external_userid,
    );
    expect(welcome?.text?.content).toContain('很高兴为您服务');
    expect((await app.sim.sent.markTags()).some((m) => m.external_userid === fired.external_userid)).toBe(
      false,
    );
  });

  it('codes made outside the product count under the state itself', async () => {
    await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '外部码客户' },
      state: 'poster2025',
    });
    await app.drain();
    const rows = (await report()).rows;
    expect(rows.find((r) => r.state === 'poster2025')).toMatchObject({
      channelId: null,
      name: 'poster2025',
      added: 1,
    });
    expect(rows.find((r) => r.state === null)).toMatchObject({ name: '自然添加', added: 1 });
  });

  it('deleting removes the contact way and keeps the channel for reports; a refused delete keeps everything', async () => {
    await app.sim.injectFault({ path: 'externalcontact/del_contact_way', errcode: 40058 });
    expect((await api('boss', 'DELETE', `/api/channels/${channel.id}`)).status).toBe(502);
    expect(await app.sim.contactWays()).toHaveLength(1);
    expect((await channelRows())[0]!.deleted_at).toBeNull();

    expect((await api('root', 'DELETE', `/api/channels/${channel.id}`)).status).toBe(204);
    expect(await app.sim.contactWays()).toEqual([]);
    const list = channelListSchema.parse((await api('boss', 'GET', '/api/channels')).body);
    expect(list.channels).toEqual([]);
    const all = channelListSchema.parse((await api('boss', 'GET', '/api/channels?includeDeleted=1')).body);
    expect(all.channels).toHaveLength(1);
    expect(all.channels[0]!.deletedAt).not.toBeNull();
    expect((await api('boss', 'PUT', `/api/channels/${channel.id}`, { name: 'z' })).status).toBe(404);
    expect((await report()).rows.find((r) => r.state === channel.state)).toMatchObject({
      channelId: channel.id,
      name: channel.name,
      deleted: true,
      added: 1,
    });
  });
});

describe('channel tags and the SOP engine', () => {
  it('a channel tag the high-intent rule watches gets the customer evaluated soon', async () => {
    // the default rule watches 高意向; point it at this channel's tag for the test (through the
    // API, which is also what tells the engine's cached watch list)
    const { rules } = (await api('boss', 'GET', '/api/sop-rules')).body as {
      rules: { id: number; trigger: string }[];
    };
    const highIntent = rules.find((r) => r.trigger === 'high_intent')!;
    const watch = async (tagName: string) => {
      const res = await api('boss', 'PUT', `/api/sop-rules/${highIntent.id}`, { params: { tagName } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await watch('包裹卡');
    try {
      const res = await api('boss', 'POST', '/api/channels', {
        name: '包裹卡',
        staffUserids: ['zhangsan'],
        tagIds: ['t-card'],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const card = channelSchema.parse(res.body);
      const fired = await app.sim.fire.addExternalContact({
        config_id: card.configId!,
        customer: { name: '包裹卡客户' },
      });
      await app.drain();
      await eventually(
        () => app.sim.sent.markTags(),
        (m) => m.some((x) => x.external_userid === fired.external_userid),
      );
      const evaluations = (await app.runtime.ctx.jobs.queue('sop').getJobs(['delayed', 'waiting'])).filter(
        (j) => j.name === 'sop.evaluate-customers' && j.data.externalUserids.includes(fired.external_userid),
      );
      expect(evaluations).toHaveLength(1);
    } finally {
      await watch('高意向');
    }
  });
});
