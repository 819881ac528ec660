import { getJsApiSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTimeline } from '../../server/repositories/timeline.js';
import { parseIngestBatch } from '../../server/services/ingest/validate.js';
import {
  customer360Schema,
  customerTimelineSchema,
  groupViewSchema,
  jssdkSignaturesSchema,
  noteSchema,
  tagCatalogueSchema,
  tagEditResultSchema,
} from '../../shared/customer.js';
import {
  quickReplyListSchema,
  quickReplySchema,
  renderedQuickReplyListSchema,
} from '../../shared/quick-replies.js';
import { loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';
import { TEST_WECOM } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

const ORIGIN = 'http://localhost:3000';
const HOUR = 3_600_000;

let app: SimApp;
const cookies: Record<'zhangsan' | 'lisi' | 'boss' | 'root', string> = {
  zhangsan: '',
  lisi: '',
  boss: '',
  root: '',
};
let c1 = ''; // followed by zhangsan (tagged VIP) and lisi; orders, coupons, groups
let c2 = ''; // followed by lisi only
let c3 = ''; // followed by zhangsan; a long timeline
let g1 = ''; // owner lisi; members c1, c2
let g2 = ''; // owner lisi; member c2 only

const db = () => app.runtime.ctx.db;

async function call(
  method: string,
  path: string,
  options: { as?: keyof typeof cookies; origin?: string | null; body?: unknown } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.as) headers.cookie = cookies[options.as];
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ingest(kind: 'orders' | 'coupons', items: unknown[]) {
  await app.runtime.services.ingest.ingest(kind, parseIngestBatch(kind, { items }));
}

beforeAll(async () => {
  app = await startSimApp();
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
    { userid: 'root', name: '管理员' },
  );
  await app.sim.upsertTagGroups(
    {
      group_id: 'g-level',
      group_name: '客户等级',
      order: 1,
      tags: [
        { id: 't-vip', name: 'VIP' },
        { id: 't-intent', name: '高意向' },
      ],
    },
    { group_id: 'g-source', group_name: '来源', order: 2, tags: [{ id: 't-live', name: '直播' }] },
  );
  await app.runtime.services.tagCatalogue.resync();

  c1 = (
    await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '王小美', type: 1, gender: 2, unionid: 'union-wxm' },
      state: 'live0618',
      tag_ids: ['t-vip'],
      remark: '直播间客户',
    })
  ).external_userid;
  await app.sim.fire.addExternalContact({ userid: 'lisi', external_userid: c1, tag_ids: ['t-live'] });
  c2 = (await app.sim.fire.addExternalContact({ userid: 'lisi', customer: { name: '赵六' } }))
    .external_userid;
  c3 = (await app.sim.fire.addExternalContact({ userid: 'zhangsan', customer: { name: '孙七' } }))
    .external_userid;
  g1 = (
    await app.sim.fire.createChat({
      name: '会员福利群',
      owner: 'lisi',
      notice: '每周三上新',
      members: [{ userid: 'lisi' }, { userid: c1, type: 2 }, { userid: c2, type: 2 }],
    })
  ).chat_id;
  g2 = (
    await app.sim.fire.createChat({
      name: '老客群',
      owner: 'lisi',
      members: [{ userid: 'lisi' }, { userid: c2, type: 2 }],
    })
  ).chat_id;
  await app.drain();

  const now = Date.now();
  await ingest(
    'orders',
    Array.from({ length: 12 }, (_, i) => ({
      orderId: `o-${i + 1}`,
      externalUserId: c1,
      amount: 100 + i,
      status: i === 11 ? 'refunded' : 'paid',
      paidAt: new Date(now - (12 - i) * 24 * HOUR).toISOString(),
      items: [{ sku: `sku-${i}`, name: `商品${i}`, qty: 1, price: 100 + i }],
    })),
  );
  await ingest('coupons', [
    {
      couponId: 'cp-open',
      externalUserId: c1,
      name: '满300减50',
      value: 50,
      issuedAt: new Date(now - HOUR).toISOString(),
      expiresAt: new Date(now + 48 * HOUR).toISOString(),
    },
    {
      couponId: 'cp-used',
      externalUserId: c1,
      name: '新人券',
      value: 10,
      issuedAt: new Date(now - 9 * HOUR).toISOString(),
      expiresAt: new Date(now + 48 * HOUR).toISOString(),
      usedAt: new Date(now - 2 * HOUR).toISOString(),
    },
    {
      couponId: 'cp-expired',
      externalUserId: c1,
      name: '过期券',
      value: 20,
      issuedAt: new Date(now - 90 * HOUR).toISOString(),
      expiresAt: new Date(now - HOUR).toISOString(),
    },
  ]);

  for (const userid of Object.keys(cookies) as Array<keyof typeof cookies>) {
    cookies[userid] = await loginAs(app, userid);
  }
});

afterAll(async () => {
  await app?.stop();
});

describe('every /api route', () => {
  const routes = () => [
    { method: 'GET', path: `/api/customers/${c2}`, staffForbidden: true },
    { method: 'GET', path: `/api/customers/${c2}/timeline`, staffForbidden: true },
    { method: 'PUT', path: `/api/customers/${c2}/tags`, body: { add: ['t-vip'] }, staffForbidden: true },
    { method: 'POST', path: `/api/customers/${c2}/notes`, body: { text: '回访' }, staffForbidden: true },
    { method: 'GET', path: `/api/customers/${c2}/quick-replies`, staffForbidden: true },
    { method: 'GET', path: `/api/groups/${g2}`, staffForbidden: true },
    { method: 'POST', path: '/api/jssdk/signatures', body: { url: `${ORIGIN}/` } },
    { method: 'GET', path: '/api/tags' },
    { method: 'GET', path: '/api/me' },
    { method: 'GET', path: '/api/quick-replies' },
    {
      method: 'POST',
      path: '/api/quick-replies',
      body: { title: 't', kind: 'text', content: 'x' },
      staffForbidden: true,
    },
    {
      method: 'PUT',
      path: '/api/quick-replies/1',
      body: { title: 't', kind: 'text', content: 'x' },
      staffForbidden: true,
    },
    { method: 'DELETE', path: '/api/quick-replies/1', staffForbidden: true },
    { method: 'POST', path: '/api/quick-replies/1/sent' },
  ];

  it('answers 401 without a session', async () => {
    for (const r of routes()) {
      const res = await call(r.method, r.path, { body: r.body });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('answers 403 to staff for a customer or group they do not follow, or an editor-only route', async () => {
    for (const r of routes().filter((x) => x.staffForbidden)) {
      const res = await call(r.method, r.path, { as: 'zhangsan', body: r.body });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('refuses every mutation with a foreign or missing Origin (403), accepting a same-origin Referer', async () => {
    for (const r of routes().filter((x) => x.method !== 'GET')) {
      for (const origin of ['https://evil.example', null, 'null']) {
        const res = await call(r.method, r.path, { as: 'boss', body: r.body, origin });
        expect(res.status, `${r.method} ${r.path} from ${origin}`).toBe(403);
      }
    }
    const viaReferer = await fetch(`${app.url}/api/jssdk/signatures`, {
      method: 'POST',
      headers: { cookie: cookies.boss, referer: `${ORIGIN}/sidebar`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${ORIGIN}/` }),
    });
    expect(viaReferer.status).toBe(200);
  });

  it('answers 404 for an unknown customer and group', async () => {
    expect((await call('GET', '/api/customers/wm-nobody', { as: 'boss' })).status).toBe(404);
    expect((await call('GET', '/api/customers/wm-nobody', { as: 'zhangsan' })).status).toBe(404);
    expect((await call('GET', '/api/groups/wr-nothing', { as: 'boss' })).status).toBe(404);
  });
});

describe('GET /api/customers/:id', () => {
  it('answers the customer 360 in one response', async () => {
    const res = await call('GET', `/api/customers/${c1}`, { as: 'zhangsan' });
    expect(res.status).toBe(200);
    const view = customer360Schema.parse(res.body);
    expect(view.profile).toMatchObject({
      externalUserId: c1,
      name: '王小美',
      type: 'wechat',
      gender: 2,
      unionid: 'union-wxm',
      channelState: 'live0618',
    });
    expect(view.followers.map((f) => [f.userid, f.name, f.isMe, f.status])).toEqual([
      ['zhangsan', '张三', true, 'active'],
      ['lisi', '李四', false, 'active'],
    ]);
    expect(view.followers[0]!).toMatchObject({ remark: '直播间客户', state: 'live0618' });
    expect(view.tagGroups).toEqual([
      {
        groupId: 'g-level',
        groupName: '客户等级',
        tags: [{ tagId: 't-vip', name: 'VIP', mine: true, taggedBy: ['zhangsan'] }],
      },
      {
        groupId: 'g-source',
        groupName: '来源',
        tags: [{ tagId: 't-live', name: '直播', mine: false, taggedBy: ['lisi'] }],
      },
    ]);
    const paid = Array.from({ length: 11 }, (_, i) => (100 + i) * 100);
    const total = paid.reduce((a, b) => a + b, 0);
    expect(view.stats).toMatchObject({
      totalSpentFen: total,
      orderCount: 11,
      avgOrderValueFen: Math.round(total / 11),
      refundCount: 1,
      refundedFen: 11_100,
    });
    expect(view.stats.lastOrderAt).not.toBeNull();
    expect(view.recentOrders).toHaveLength(10);
    expect(view.recentOrders[0]).toMatchObject({
      orderId: 'o-12',
      status: 'refunded',
      amountFen: 11_100,
      items: [{ sku: 'sku-11', name: '商品11', qty: 1, priceFen: 11_100 }],
    });
    expect(view.recentOrders.map((o) => o.orderId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `o-${12 - i}`),
    );
    expect(view.openCoupons).toEqual([
      expect.objectContaining({ couponId: 'cp-open', name: '满300减50', valueFen: 5000 }),
    ]);
    expect(view.openTasks).toEqual([]);
    expect(view.groups).toEqual([expect.objectContaining({ chatId: g1, name: '会员福利群' })]);
  });

  it('lets supervisors and admins see any customer; their own tags are never "mine"', async () => {
    for (const as of ['boss', 'root'] as const) {
      const res = await call('GET', `/api/customers/${c2}`, { as });
      expect(res.status).toBe(200);
      expect(customer360Schema.parse(res.body).profile.name).toBe('赵六');
    }
    const view = customer360Schema.parse((await call('GET', `/api/customers/${c1}`, { as: 'boss' })).body);
    expect(view.tagGroups.flatMap((g) => g.tags).some((t) => t.mine)).toBe(false);
  });
});

describe('GET /api/customers/:id/timeline', () => {
  it('pages newest first with a stable cursor across three pages', async () => {
    const base = Date.now() - 100 * HOUR;
    // pairs share an occurred_at, so the id decides the order within a pair
    await appendTimeline(
      db(),
      Array.from({ length: 70 }, (_, i) => ({
        externalUserid: c3,
        kind: 'behavior' as const,
        actor: 'customer',
        occurredAt: new Date(base + Math.floor(i / 2) * HOUR),
        data: { n: i },
        dedupeKey: `test-behavior:${c3}:${i}`,
      })),
    );
    const expected = await db()
      .selectFrom('timeline')
      .select('id')
      .where('external_userid', '=', c3)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(expected.length).toBe(71); // + contact_added

    const first = customerTimelineSchema.parse(
      (await call('GET', `/api/customers/${c3}/timeline`, { as: 'zhangsan' })).body,
    );
    expect(first.entries).toHaveLength(30);
    expect(first.nextCursor).not.toBeNull();

    // an entry arriving meanwhile does not shift the pages behind the cursor
    await appendTimeline(db(), [
      {
        externalUserid: c3,
        kind: 'note',
        actor: 'zhangsan',
        occurredAt: new Date(),
        data: {},
        dedupeKey: `test-new:${c3}`,
      },
    ]);
    const second = customerTimelineSchema.parse(
      (
        await call('GET', `/api/customers/${c3}/timeline?before=${first.nextCursor}&limit=30`, {
          as: 'zhangsan',
        })
      ).body,
    );
    const third = customerTimelineSchema.parse(
      (
        await call('GET', `/api/customers/${c3}/timeline?before=${second.nextCursor}&limit=30`, {
          as: 'zhangsan',
        })
      ).body,
    );
    expect(second.entries).toHaveLength(30);
    expect(third.entries).toHaveLength(11);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.entries, ...second.entries, ...third.entries].map((e) => e.id);
    expect(ids).toEqual(expected.map((r) => String(r.id)));
    expect(first.entries[0]!.kind).toBe('contact_added');
    // within a pair sharing occurred_at, the later id comes first
    expect(first.entries[1]).toMatchObject({ kind: 'behavior', actor: 'customer', data: { n: 69 } });
    expect(third.entries.at(-1)).toMatchObject({ kind: 'behavior', data: { n: 0 } });

    const small = customerTimelineSchema.parse(
      (await call('GET', `/api/customers/${c3}/timeline?limit=5`, { as: 'zhangsan' })).body,
    );
    expect(small.entries).toHaveLength(5);
  });

  it("merges the customer's tasks in as sop_task_created entries, paging across both", async () => {
    const stored = await db()
      .selectFrom('timeline')
      .select(['id', 'occurred_at'])
      .where('external_userid', '=', c3)
      .execute();
    // tasks created at the same instants as stored entries, and one between them
    const instants = [stored[10]!.occurred_at, stored[11]!.occurred_at, stored[40]!.occurred_at];
    instants.push(new Date(instants[2]!.getTime() + 60_000));
    const rule = await db()
      .selectFrom('sop_rules')
      .select(['id', 'name'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const tasks = await db()
      .insertInto('sop_tasks')
      .values(
        instants.map((at, i) => ({
          rule_id: rule.id,
          external_userid: c3,
          userid: 'zhangsan',
          window_key: `merge-test:${i}`,
          variant: 0,
          message: '您好',
          status: 'pending',
          due_at: at,
          created_at: at,
          delivery_mode: 'staff_task',
          reason: 'silent',
        })),
      )
      .returning(['id', 'created_at'])
      .execute();
    const expected = [
      ...stored.map((r) => ({ key: String(r.id), at: r.occurred_at.getTime(), n: Number(r.id) })),
      ...tasks.map((t) => ({ key: `sop_task:${t.id}`, at: t.created_at.getTime(), n: -Number(t.id) })),
    ]
      .sort((a, b) => b.at - a.at || b.n - a.n)
      .map((e) => e.key);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = customerTimelineSchema.parse(
        (
          await call('GET', `/api/customers/${c3}/timeline?limit=7${cursor ? `&before=${cursor}` : ''}`, {
            as: 'zhangsan',
          })
        ).body,
      );
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const first = customerTimelineSchema.parse(
      (await call('GET', `/api/customers/${c3}/timeline?limit=100`, { as: 'zhangsan' })).body,
    );
    expect(first.entries.find((e) => e.id === `sop_task:${tasks[0]!.id}`)).toMatchObject({
      kind: 'sop_task_created',
      actor: 'system',
      occurredAt: instants[0]!.toISOString(),
      data: {
        taskId: Number(tasks[0]!.id),
        ruleId: Number(rule.id),
        ruleName: rule.name,
        userid: 'zhangsan',
        reason: 'silent',
      },
    });
  });

  it('refuses a bad cursor or limit with 400', async () => {
    for (const q of ['before=not-a-cursor', 'before=', 'limit=0', 'limit=101', 'limit=abc']) {
      const res = await call('GET', `/api/customers/${c3}/timeline?${q}`, { as: 'zhangsan' });
      expect(res.status, q).toBe(400);
    }
  });
});

describe('PUT /api/customers/:id/tags', () => {
  const tagsOf = async (ext: string, userid: string) =>
    (
      await db()
        .selectFrom('customer_tags')
        .select('tag_id')
        .where('external_userid', '=', ext)
        .where('userid', '=', userid)
        .orderBy('tag_id')
        .execute()
    ).map((r) => r.tag_id);
  const tagEntries = async (ext: string) =>
    db()
      .selectFrom('timeline')
      .select(['kind', 'actor', 'data'])
      .where('external_userid', '=', ext)
      .where('kind', 'in', ['tag_added', 'tag_removed'])
      .orderBy('id')
      .execute();

  it('marks the tag in WeCom first, then locally, with timeline entries', async () => {
    const before = (await tagEntries(c1)).length;
    const res = await call('PUT', `/api/customers/${c1}/tags`, {
      as: 'zhangsan',
      body: { add: ['t-intent'], remove: ['t-vip'] },
    });
    expect(res.status).toBe(200);
    expect(tagEditResultSchema.parse(res.body)).toEqual({
      userid: 'zhangsan',
      tags: [{ tagId: 't-intent', name: '高意向', groupId: 'g-level', groupName: '客户等级' }],
      added: ['t-intent'],
      removed: ['t-vip'],
    });
    // 高意向 is what the default high_intent rule watches: the customer is evaluated soon
    const evaluations = (await app.runtime.ctx.jobs.queue('sop').getJobs(['delayed', 'waiting'])).filter(
      (j) => j.name === 'sop.evaluate-customers' && j.data.externalUserids.includes(c1),
    );
    expect(evaluations).toHaveLength(1);
    expect((await app.sim.sent.markTags()).at(-1)).toMatchObject({
      userid: 'zhangsan',
      external_userid: c1,
      add_tag: ['t-intent'],
      remove_tag: ['t-vip'],
    });
    expect(await tagsOf(c1, 'zhangsan')).toEqual(['t-intent']);
    expect(await tagsOf(c1, 'lisi')).toEqual(['t-live']);
    const entries = (await tagEntries(c1)).slice(before);
    expect(entries).toEqual([
      {
        kind: 'tag_added',
        actor: 'zhangsan',
        data: expect.objectContaining({ tagId: 't-intent', tagName: '高意向', groupName: '客户等级' }),
      },
      {
        kind: 'tag_removed',
        actor: 'zhangsan',
        data: expect.objectContaining({ tagId: 't-vip', tagName: 'VIP' }),
      },
    ]);
    expect(
      (await app.sim.getCustomer(c1)).follow_user
        .find((f) => f.userid === 'zhangsan')!
        .tags.map((t) => t.tag_id),
    ).toEqual(['t-intent']);
  });

  it('leaves local state unchanged and answers 502 with the errcode when WeCom refuses', async () => {
    const marks = (await app.sim.sent.markTags()).length;
    const entries = (await tagEntries(c1)).length;
    await app.sim.injectFault({ path: 'externalcontact/mark_tag', errcode: 40068, errmsg: 'invalid tagid' });
    const res = await call('PUT', `/api/customers/${c1}/tags`, { as: 'zhangsan', body: { add: ['t-vip'] } });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('wecom_error');
    expect(res.body.error.message).toContain('40068');
    expect(res.body.error.message).toContain('invalid tagid');
    expect(await tagsOf(c1, 'zhangsan')).toEqual(['t-intent']);
    expect((await tagEntries(c1)).length).toBe(entries);
    expect((await app.sim.sent.markTags()).length).toBe(marks);
  });

  it('refuses unknown tag ids with 400 before calling WeCom', async () => {
    const calls = (await app.sim.counters()).calls['externalcontact/mark_tag'] ?? 0;
    const res = await call('PUT', `/api/customers/${c1}/tags`, { as: 'zhangsan', body: { add: ['t-nope'] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('t-nope');
    expect((await app.sim.counters()).calls['externalcontact/mark_tag'] ?? 0).toBe(calls);
    for (const body of [{ add: [], remove: [] }, { add: ['t-vip'], remove: ['t-vip'] }, { add: 't-vip' }]) {
      expect((await call('PUT', `/api/customers/${c1}/tags`, { as: 'zhangsan', body })).status).toBe(400);
    }
  });

  it('makes supervisors name the relation; staff may only edit their own', async () => {
    expect(
      (await call('PUT', `/api/customers/${c1}/tags`, { as: 'boss', body: { add: ['t-vip'] } })).status,
    ).toBe(400);
    expect(
      (
        await call('PUT', `/api/customers/${c1}/tags`, {
          as: 'boss',
          body: { add: ['t-vip'], userid: 'nobody' },
        })
      ).status,
    ).toBe(400);
    const ok = await call('PUT', `/api/customers/${c1}/tags`, {
      as: 'boss',
      body: { add: ['t-vip'], userid: 'lisi' },
    });
    expect(ok.status).toBe(200);
    expect(await tagsOf(c1, 'lisi')).toEqual(['t-live', 't-vip']);
    const entry = (await tagEntries(c1)).at(-1)!;
    expect(entry).toMatchObject({
      kind: 'tag_added',
      actor: 'lisi',
      data: { tagId: 't-vip', userid: 'lisi' },
    });
    expect(
      (
        await call('PUT', `/api/customers/${c1}/tags`, {
          as: 'zhangsan',
          body: { add: ['t-vip'], userid: 'lisi' },
        })
      ).status,
    ).toBe(403);
  });
});

describe('POST /api/customers/:id/notes', () => {
  it('stores the note on the timeline and reminds its author by app message at remindAt', async () => {
    const remindAt = new Date(Date.now() + 1500).toISOString();
    const res = await call('POST', `/api/customers/${c1}/notes`, {
      as: 'zhangsan',
      body: { text: '客户想要 XL 码，周五到货后联系', followStatus: '待回访', remindAt },
    });
    expect(res.status).toBe(201);
    const note = noteSchema.parse(res.body);
    expect(note).toMatchObject({ userid: 'zhangsan', followStatus: '待回访', remindAt });
    const entry = await db()
      .selectFrom('timeline')
      .select(['kind', 'actor', 'data'])
      .where('dedupe_key', '=', `note:${note.id}`)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      kind: 'note',
      actor: 'zhangsan',
      data: { text: '客户想要 XL 码，周五到货后联系', noteId: note.id },
    });

    expect((await app.sim.sent.appMessages()).some((m) => m.msgtype === 'textcard')).toBe(false);
    const messages = await eventually(
      () => app.sim.sent.appMessages(),
      (items) => items.some((m) => m.msgtype === 'textcard'),
      10_000,
    );
    const card = messages.find((m) => m.msgtype === 'textcard')!;
    expect(card.touser).toEqual(['zhangsan']);
    expect(card.agentid).toBe(TEST_WECOM.agentId);
    expect(JSON.stringify(card.body)).toContain('王小美');
    expect(JSON.stringify(card.body)).toContain('XL 码');
    const stored = await eventually(
      () =>
        db().selectFrom('notes').select('reminded_at').where('id', '=', note.id).executeTakeFirstOrThrow(),
      (r) => r.reminded_at !== null,
    );
    expect(stored.reminded_at).not.toBeNull();
    // a repeated job sends nothing more
    expect(await app.runtime.services.customerNotes.sendReminder(note.id)).toMatchObject({ sent: false });
    expect((await app.sim.sent.appMessages()).filter((m) => m.msgtype === 'textcard')).toHaveLength(1);
  });

  it('takes a note without a reminder, and refuses empty text or a reminder in the past', async () => {
    const res = await call('POST', `/api/customers/${c1}/notes`, { as: 'boss', body: { text: '主管备注' } });
    expect(res.status).toBe(201);
    expect(noteSchema.parse(res.body).remindAt).toBeNull();
    expect(
      (await call('POST', `/api/customers/${c1}/notes`, { as: 'zhangsan', body: { text: '  ' } })).status,
    ).toBe(400);
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(
      (
        await call('POST', `/api/customers/${c1}/notes`, {
          as: 'zhangsan',
          body: { text: 'x', remindAt: past },
        })
      ).status,
    ).toBe(400);
  });
});

describe('GET /api/groups/:chatId', () => {
  it('shows a group containing a customer the staff member follows, members linked to customers', async () => {
    const res = await call('GET', `/api/groups/${g1}`, { as: 'zhangsan' });
    expect(res.status).toBe(200);
    const view = groupViewSchema.parse(res.body);
    expect(view).toMatchObject({
      chatId: g1,
      name: '会员福利群',
      owner: { userid: 'lisi', name: '李四' },
      notice: '每周三上新',
      status: 'active',
      memberCount: 3,
      customerCount: 2,
      staffCount: 1,
    });
    const byId = new Map(view.members.map((m) => [m.memberId, m]));
    expect(byId.get(c1)!.customer).toEqual({ externalUserId: c1, name: '王小美', followedByMe: true });
    expect(byId.get(c2)!.customer).toEqual({ externalUserId: c2, name: '赵六', followedByMe: false });
    expect(byId.get('lisi')).toMatchObject({ type: 'staff', customer: null });
    expect(view.joinedRecently.map((m) => m.memberId).sort()).toEqual([c1, c2, 'lisi'].sort());
    expect(view.leftRecently).toEqual([]);
  });

  it('lists who left in the last 7 days; owners and supervisors see the group', async () => {
    await app.sim.fire.updateChat({ chat_id: g1, update_detail: 'del_member', userids: [c2], quit_scene: 0 });
    await app.drain();
    const view = groupViewSchema.parse((await call('GET', `/api/groups/${g1}`, { as: 'lisi' })).body);
    expect(view.memberCount).toBe(2);
    expect(view.leftRecently).toEqual([
      expect.objectContaining({ memberId: c2, type: 'customer', name: expect.any(String) }),
    ]);
    expect((await call('GET', `/api/groups/${g2}`, { as: 'boss' })).status).toBe(200);
    expect((await call('GET', `/api/groups/${g2}`, { as: 'lisi' })).status).toBe(200);
  });
});

describe('POST /api/jssdk/signatures', () => {
  it('signs the page URL without its fragment with the corp and agent tickets', async () => {
    const page = `${ORIGIN}/sidebar/customer?entry=single_chat_tools`;
    const res = await call('POST', '/api/jssdk/signatures', {
      as: 'zhangsan',
      body: { url: `${page}#/orders` },
    });
    expect(res.status).toBe(200);
    const signed = jssdkSignaturesSchema.parse(res.body);
    expect(signed).toMatchObject({ corpId: TEST_WECOM.corpId, agentId: TEST_WECOM.agentId });
    const tickets = await app.sim.tickets();
    const expectSigned = (s: typeof signed.config, ticket: string) =>
      expect(s.signature).toBe(
        getJsApiSignature({ ticket, nonceStr: s.nonceStr, timestamp: s.timestamp, url: page }).signature,
      );
    expectSigned(signed.config, tickets.jsapi_ticket);
    expectSigned(signed.agentConfig, tickets.agent_ticket);
    expect(Math.abs(signed.config.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });

  it('refuses a URL of another origin with 400', async () => {
    for (const url of ['https://evil.example/', 'http://localhost:3001/', 'not a url']) {
      expect(
        (await call('POST', '/api/jssdk/signatures', { as: 'zhangsan', body: { url } })).status,
        url,
      ).toBe(400);
    }
  });
});

describe('quick replies', () => {
  it('supervisors create, edit and delete; staff search, render for a customer and count sends', async () => {
    const created = await call('POST', '/api/quick-replies', {
      as: 'boss',
      body: {
        groupName: '优惠',
        title: '优惠券提醒',
        kind: 'text',
        content:
          '{{name}}您好，我是{{staffName}}，您的「{{coupon}}」（{{couponValue}}元）{{couponExpiresAt}}到期~',
      },
    });
    expect(created.status).toBe(201);
    const reply = quickReplySchema.parse(created.body);

    expect(reply).toMatchObject({
      createdBy: 'boss',
      timesSent: 0,
      variables: ['name', 'staffName', 'coupon', 'couponValue', 'couponExpiresAt'],
    });

    expect(
      (
        await call('POST', '/api/quick-replies', {
          as: 'zhangsan',
          body: { title: 'x', kind: 'text', content: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/api/quick-replies', {
          as: 'root',
          body: { title: 'bad', kind: 'text', content: '{{nope}}' },
        })
      ).status,
    ).toBe(400);
    const link = await call('POST', '/api/quick-replies', {
      as: 'root',
      body: {
        groupName: '介绍',
        title: '品牌故事',
        kind: 'link',
        linkUrl: 'https://brand.example/story',
        linkTitle: '{{name}}，看看我们的故事',
        content: '三分钟了解',
      },
    });
    expect(link.status).toBe(201);

    const search = quickReplyListSchema.parse(
      (await call('GET', '/api/quick-replies?q=优惠券', { as: 'zhangsan' })).body,
    );
    expect(search.items.map((i) => i.id)).toEqual([reply.id]);
    expect(search.groups).toEqual(['优惠', '介绍'].sort());
    const byGroup = quickReplyListSchema.parse(
      (await call('GET', '/api/quick-replies?group=介绍', { as: 'zhangsan' })).body,
    );
    expect(byGroup.items.map((i) => i.title)).toEqual(['品牌故事']);

    const rendered = renderedQuickReplyListSchema.parse(
      (await call('GET', `/api/customers/${c1}/quick-replies`, { as: 'zhangsan' })).body,
    );
    const text = rendered.items.find((i) => i.id === reply.id)!;
    expect(text.rendered.content).toMatch(
      /^直播间客户您好，我是张三，您的「满300减50」（50元）\d{4}-\d{2}-\d{2}到期~$/,
    );
    expect(text.missing).toEqual([]);
    const brand = rendered.items.find((i) => i.kind === 'link')!;
    expect(brand.rendered.linkTitle).toBe('直播间客户，看看我们的故事');
    const forC3 = renderedQuickReplyListSchema.parse(
      (await call('GET', `/api/customers/${c3}/quick-replies`, { as: 'zhangsan' })).body,
    );
    expect(forC3.items.find((i) => i.id === reply.id)!.missing).toEqual([
      'coupon',
      'couponValue',
      'couponExpiresAt',
    ]);

    const sent = await call('POST', `/api/quick-replies/${reply.id}/sent`, { as: 'zhangsan' });
    expect(sent).toEqual({ status: 200, body: { timesSent: 1 } });

    const updated = await call('PUT', `/api/quick-replies/${reply.id}`, {
      as: 'boss',
      body: { groupName: '优惠', title: '券到期', kind: 'text', content: '{{name}}，券快到期啦' },
    });
    expect(updated.status).toBe(200);
    expect(quickReplySchema.parse(updated.body)).toMatchObject({
      title: '券到期',
      variables: ['name'],
      timesSent: 1,
    });

    expect((await call('DELETE', `/api/quick-replies/${reply.id}`, { as: 'boss' })).status).toBe(204);
    expect((await call('DELETE', `/api/quick-replies/${reply.id}`, { as: 'boss' })).status).toBe(404);
    expect(
      (
        await call('PUT', `/api/quick-replies/${reply.id}`, {
          as: 'boss',
          body: { title: 'x', kind: 'text', content: 'x' },
        })
      ).status,
    ).toBe(404);
  });
});

describe('GET /api/tags', () => {
  it('answers the corp tag catalogue grouped in WeCom’s order', async () => {
    const res = await call('GET', '/api/tags', { as: 'zhangsan' });
    expect(res.status).toBe(200);
    expect(tagCatalogueSchema.parse(res.body)).toEqual({
      groups: [
        {
          groupId: 'g-level',
          name: '客户等级',
          tags: [
            { tagId: 't-vip', name: 'VIP' },
            { tagId: 't-intent', name: '高意向' },
          ],
        },
        { groupId: 'g-source', name: '来源', tags: [{ tagId: 't-live', name: '直播' }] },
      ],
    });
  });
});
