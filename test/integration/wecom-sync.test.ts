import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedis } from '../../server/infra/local-redis.js';
import { createLogger } from '../../server/infra/logger.js';
import { QUEUE_NAMES } from '../../server/jobs/catalogue.js';
import { type SimApp, seedSalesTeam, startSimApp } from '../support/sim-app.js';
import { TEST_WECOM } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

let app: SimApp;

beforeAll(async () => {
  app = await startSimApp();
  await seedSalesTeam(app);
});

afterAll(async () => {
  await app?.stop();
});

const db = () => app.runtime.ctx.db;
/** Rows a salesperson holds in a per-relation table. */
const countOf = async (table: 'follow_relations' | 'customer_tags', userid: string) => {
  const row = await db()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userid', '=', userid)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};
const timelineKinds = async (externalUserid: string) =>
  (
    await db()
      .selectFrom('timeline')
      .select('kind')
      .where('external_userid', '=', externalUserid)
      .orderBy('id')
      .execute()
  ).map((r) => r.kind);

async function queuedJobs(): Promise<number> {
  let n = 0;
  for (const q of QUEUE_NAMES) {
    const c = await app.runtime.ctx.jobs
      .queue(q)
      .getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    n += Object.values(c).reduce((a, b) => a + b, 0);
  }
  return n;
}

function contactXml(change: string, userid: string, ext: string, createTime: number, extra = ''): string {
  return `<xml><ToUserName><![CDATA[${TEST_WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[${change}]]></ChangeType><UserID><![CDATA[${userid}]]></UserID><ExternalUserID><![CDATA[${ext}]]></ExternalUserID>${extra}</xml>`;
}

describe('URL verification', () => {
  it('answers the decrypted echostr to WeCom’s GET', async () => {
    const result = await app.sim.verifyUrl('hello-echo-123');
    expect(result).toMatchObject({ ok: true, status: 200, body: 'hello-echo-123' });
  });

  it('refuses a GET with a forged signature', async () => {
    const res = await fetch(`${app.url}/wecom/callback?msg_signature=abc&timestamp=1&nonce=2&echostr=xyz`);
    expect(res.status).toBe(401);
  });
});

describe('change_external_contact', () => {
  it('add: customer, relation, tags, timeline and a welcome message, end to end', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '王小美', type: 1, unionid: 'union-wxm' },
      state: 'live0618',
      tag_ids: ['t-vip'],
      remark: '直播间客户',
    });
    expect(fired.status).toBe(200);
    expect(fired.body).toBe('success');
    const ext = fired.external_userid;
    await app.drain();

    const customer = await db()
      .selectFrom('customers')
      .selectAll()
      .where('external_userid', '=', ext)
      .executeTakeFirstOrThrow();
    expect(customer).toMatchObject({
      name: '王小美',
      type: 1,
      unionid: 'union-wxm',
      channel_state: 'live0618',
    });
    expect(customer.wecom_synced_at).not.toBeNull();
    const relation = await db()
      .selectFrom('follow_relations')
      .selectAll()
      .where('external_userid', '=', ext)
      .executeTakeFirstOrThrow();
    expect(relation).toMatchObject({
      userid: 'zhangsan',
      status: 'active',
      remark: '直播间客户',
      state: 'live0618',
    });
    const tags = await db()
      .selectFrom('customer_tags')
      .select('tag_id')
      .where('external_userid', '=', ext)
      .execute();
    expect(tags).toEqual([{ tag_id: 't-vip' }]);
    expect(await timelineKinds(ext)).toEqual(['tag_added', 'contact_added']);

    const welcomes = await app.sim.sent.welcomeMessages();
    const mine = welcomes.filter((w) => w.welcome_code === fired.welcome_code);
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0])).toContain('王小美');
    expect(JSON.stringify(mine[0])).toContain('张三');
  });

  it('a redelivered event (re-encrypted or byte for byte) is processed once', async () => {
    const fired = await app.sim.fire.addExternalContact({ userid: 'lisi', customer: { name: '重复投递' } });
    await app.drain();
    const before = await timelineKinds(fired.external_userid);
    const jobsBefore = await queuedJobs();

    const again = await app.sim.fire.redeliver({ deliveryId: fired.deliveryId, verbatim: false });
    const verbatim = await app.sim.fire.redeliver({ deliveryId: fired.deliveryId, verbatim: true });
    expect([again.status, again.body, verbatim.status, verbatim.body]).toEqual([
      200,
      'success',
      200,
      'success',
    ]);
    await app.drain();

    expect(await timelineKinds(fired.external_userid)).toEqual(before);
    expect(await queuedJobs()).toBe(jobsBefore);
    const welcomes = (await app.sim.sent.welcomeMessages()).filter(
      (w) => w.welcome_code === fired.welcome_code,
    );
    expect(welcomes).toHaveLength(1);
  });

  it('a redelivery after the finished job was cleaned out of Redis is still dropped', async () => {
    const fired = await app.sim.fire.addExternalContact({ userid: 'lisi', customer: { name: '清理后重投' } });
    await app.drain();
    const before = await timelineKinds(fired.external_userid);
    // what removeOnComplete's trimming does to finished jobs (clean() would also drop the dedupe keys)
    const { redis, jobs } = app.runtime.ctx;
    for (const q of QUEUE_NAMES) {
      const completedKey = `${jobs.prefix}:${q}:completed`;
      for (const id of await redis.zrange(completedKey, '0', '-1')) {
        await redis
          .multi()
          .zrem(completedKey, id)
          .del(`${jobs.prefix}:${q}:${String(id)}`)
          .exec();
      }
    }
    expect(await queuedJobs()).toBe(0);

    const again = await app.sim.fire.redeliver({ deliveryId: fired.deliveryId, verbatim: false });
    expect(again.body).toBe('success');
    expect(await queuedJobs()).toBe(0);
    await app.drain();
    expect(await timelineKinds(fired.external_userid)).toEqual(before);
    const welcomes = (await app.sim.sent.welcomeMessages()).filter(
      (w) => w.welcome_code === fired.welcome_code,
    );
    expect(welcomes).toHaveLength(1);
  });

  it('two different events in the same second are both processed', async () => {
    const [a, b] = await app.sim.addCustomers([
      { name: '同秒甲', follow_users: [{ userid: 'zhangsan' }] },
      { name: '同秒乙', follow_users: [{ userid: 'zhangsan' }] },
    ]);
    const second = 1_800_000_000;
    const results = await Promise.all([
      app.sim.fire.raw({ xml: contactXml('add_external_contact', 'zhangsan', a!, second) }),
      app.sim.fire.raw({ xml: contactXml('add_external_contact', 'zhangsan', b!, second) }),
    ]);
    expect(results.map((r) => r.body)).toEqual(['success', 'success']);
    await app.drain();
    expect(await timelineKinds(a!)).toContain('contact_added');
    expect(await timelineKinds(b!)).toContain('contact_added');
  });

  it('an edit processed before its add leaves current data, not stale data', async () => {
    const [ext] = await app.sim.addCustomers([
      { name: '乱序客户', follow_users: [{ userid: 'lisi', remark: '最新备注', tag_ids: ['t-intent'] }] },
    ]);
    await app.sim.fire.raw({ xml: contactXml('edit_external_contact', 'lisi', ext!, 1_800_000_010) });
    await app.drain();
    await app.sim.fire.raw({ xml: contactXml('add_external_contact', 'lisi', ext!, 1_800_000_005) });
    await app.drain();
    const relation = await db()
      .selectFrom('follow_relations')
      .selectAll()
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(relation).toMatchObject({ remark: '最新备注', status: 'active' });
    expect(relation.last_event_at?.getTime()).toBe(1_800_000_010_000);
    expect(await timelineKinds(ext!)).toEqual(
      expect.arrayContaining(['contact_edited', 'contact_added', 'tag_added']),
    );
  });

  it('an add job that fetched WeCom before a delete does not revive the ended relation', async () => {
    const [ext] = await app.sim.addCustomers([
      { name: '慢同步客户', follow_users: [{ userid: 'zhangsan' }] },
    ]);
    await app.sim.fire.raw({ xml: contactXml('add_external_contact', 'zhangsan', ext!, 1_800_000_400) });
    await app.drain();
    await app.sim.fire.raw({ xml: contactXml('del_follow_user', 'zhangsan', ext!, 1_800_000_410) });
    await app.drain();
    // a redelivered, older add re-fetches WeCom, which (here) still lists the relation
    await app.sim.fire.raw({ xml: contactXml('edit_external_contact', 'zhangsan', ext!, 1_800_000_405) });
    await app.drain();
    const relation = await db()
      .selectFrom('follow_relations')
      .select('status')
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(relation.status).toBe('deleted_by_customer');
  });

  it('a late delete older than the latest add does not end a live relation', async () => {
    const [ext] = await app.sim.addCustomers([{ name: '先删后加', follow_users: [{ userid: 'zhangsan' }] }]);
    await app.sim.fire.raw({ xml: contactXml('add_external_contact', 'zhangsan', ext!, 1_800_000_100) });
    await app.drain();
    await app.sim.fire.raw({ xml: contactXml('del_external_contact', 'zhangsan', ext!, 1_800_000_050) });
    await app.drain();
    const relation = await db()
      .selectFrom('follow_relations')
      .select('status')
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(relation.status).toBe('active');
  });

  it('a same-second delete processed before its add still ends the relation', async () => {
    // the simulator still lists the relation, as WeCom did when the slow add job fetched it
    const [ext] = await app.sim.addCustomers([{ name: '秒删客户', follow_users: [{ userid: 'lisi' }] }]);
    // the delete is taken in first; it waits (job retry) until the add has stored the relation
    await app.sim.fire.raw({ xml: contactXml('del_follow_user', 'lisi', ext!, 1_800_000_300) });
    await app.sim.fire.raw({ xml: contactXml('add_external_contact', 'lisi', ext!, 1_800_000_300) });
    await app.drain(30_000);
    const relation = await db()
      .selectFrom('follow_relations')
      .select(['status', 'deleted_by'])
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(relation).toEqual({ status: 'deleted_by_customer', deleted_by: 'customer' });
  });

  it('edit: remark and tags changed in WeCom are applied with tag timeline entries', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '编辑客户' },
      tag_ids: ['t-vip'],
    });
    await app.drain();
    await app.sim.fire.editExternalContact({
      userid: 'zhangsan',
      external_userid: fired.external_userid,
      remark: '老客户',
      tag_ids: ['t-intent'],
    });
    await app.drain();
    const tags = await db()
      .selectFrom('customer_tags')
      .select('tag_id')
      .where('external_userid', '=', fired.external_userid)
      .execute();
    expect(tags).toEqual([{ tag_id: 't-intent' }]);
    const kinds = await timelineKinds(fired.external_userid);
    expect(kinds).toEqual(expect.arrayContaining(['contact_edited', 'tag_removed']));
    expect(kinds.filter((k) => k === 'tag_added')).toHaveLength(2);
  });

  it('del_external_contact: the salesperson removed the customer', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '被删客户' },
    });
    await app.drain();
    await app.sim.fire.delExternalContact({ userid: 'zhangsan', external_userid: fired.external_userid });
    await app.drain();
    const relation = await db()
      .selectFrom('follow_relations')
      .selectAll()
      .where('external_userid', '=', fired.external_userid)
      .executeTakeFirstOrThrow();
    expect(relation).toMatchObject({ status: 'deleted_by_staff', deleted_by: 'staff' });
    expect(await timelineKinds(fired.external_userid)).toContain('contact_deleted_by_staff');
  });

  it('del_follow_user (单删): relation lost, customer lost, salesperson told by app message', async () => {
    const fired = await app.sim.fire.addExternalContact({ userid: 'lisi', customer: { name: '单删客户' } });
    await app.drain();
    await app.sim.fire.delFollowUser({ userid: 'lisi', external_userid: fired.external_userid });
    await app.drain();
    const relation = await db()
      .selectFrom('follow_relations')
      .selectAll()
      .where('external_userid', '=', fired.external_userid)
      .executeTakeFirstOrThrow();
    expect(relation).toMatchObject({ status: 'deleted_by_customer', deleted_by: 'customer' });
    const customer = await db()
      .selectFrom('customers')
      .select('lifecycle_stage')
      .where('external_userid', '=', fired.external_userid)
      .executeTakeFirstOrThrow();
    expect(customer.lifecycle_stage).toBe('lost');
    expect(await timelineKinds(fired.external_userid)).toContain('contact_deleted_by_customer');
    const messages = await app.sim.sent.appMessages();
    expect(
      messages.some((m) => JSON.stringify(m).includes('单删客户') && JSON.stringify(m).includes('lisi')),
    ).toBe(true);
  });

  it('transfer_fail is recorded on the timeline', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '转接客户' },
    });
    await app.drain();
    await app.sim.fire.transferFail({
      userid: 'zhangsan',
      external_userid: fired.external_userid,
      fail_reason: 'customer_refused',
    });
    await app.drain();
    const entry = await db()
      .selectFrom('timeline')
      .selectAll()
      .where('external_userid', '=', fired.external_userid)
      .where('kind', '=', 'contact_transferred')
      .executeTakeFirstOrThrow();
    expect(entry.data).toMatchObject({ failed: true, reason: 'customer_refused' });
  });

  it('running the same event twice (a worker that died after its write) adds no duplicate', async () => {
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '重跑客户' },
      tag_ids: ['t-vip'],
    });
    await app.drain();
    const before = await timelineKinds(fired.external_userid);
    const event = {
      ToUserName: TEST_WECOM.corpId,
      CreateTime: Math.floor(Date.now() / 1000) + 1000,
      MsgType: 'event' as const,
      Event: 'change_external_contact' as const,
      ChangeType: 'add_external_contact' as const,
      UserID: 'zhangsan',
      ExternalUserID: fired.external_userid,
    };
    await app.runtime.services.contactSync.handleEvent(event);
    await app.runtime.services.contactSync.handleEvent(event);
    const after = await timelineKinds(fired.external_userid);
    expect(after.filter((k) => k === 'contact_added').length).toBe(
      before.filter((k) => k === 'contact_added').length + 1,
    );
    expect(after.filter((k) => k === 'tag_added')).toHaveLength(1);
  });
});

describe('bad callbacks change nothing', () => {
  it.each([
    ['a forged signature', { badSignature: true }, 401],
    ['another corp’s receiveid', { receiveId: 'wwsomeoneelse' }, 400],
  ])('%s is refused with nothing enqueued', async (_name, options, status) => {
    const before = await queuedJobs();
    const result = await app.sim.fire.raw({
      xml: contactXml('add_external_contact', 'zhangsan', 'wm-forged', 1_800_000_200),
      ...options,
    });
    expect(result.status).toBe(status);
    expect(await queuedJobs()).toBe(before);
  });

  it('malformed envelope XML and missing query parameters are refused', async () => {
    const before = await queuedJobs();
    const bad = await fetch(`${app.url}/wecom/callback?msg_signature=a&timestamp=1&nonce=2`, {
      method: 'POST',
      body: '<xml><Encrypt>',
    });
    expect(bad.status).toBe(400);
    const oversize = await fetch(`${app.url}/wecom/callback?msg_signature=a&timestamp=1&nonce=2`, {
      method: 'POST',
      body: `<xml><Encrypt>${'x'.repeat(300 * 1024)}</Encrypt></xml>`,
    });
    expect([oversize.status, ((await oversize.json()) as { error: { code: string } }).error.code]).toEqual([
      413,
      'payload_too_large',
    ]);
    const put = await fetch(`${app.url}/wecom/callback`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(404);
    const noQuery = await fetch(`${app.url}/wecom/callback`, {
      method: 'POST',
      body: '<xml><Encrypt>x</Encrypt></xml>',
    });
    expect(noQuery.status).toBe(401);
    expect(await queuedJobs()).toBe(before);
  });
});

describe('change_external_chat', () => {
  it('create, add_member, del_member and dismiss write group_joined / group_left', async () => {
    const [c1, c2] = await app.sim.addCustomers([
      { name: '群客户一', follow_users: [{ userid: 'zhangsan' }] },
      { name: '群客户二', follow_users: [{ userid: 'zhangsan' }] },
    ]);
    const created = await app.sim.fire.createChat({
      name: '会员福利群',
      owner: 'zhangsan',
      notice: '每周三上新',
      members: [
        { userid: 'zhangsan', type: 1 },
        { userid: c1!, type: 2 },
      ],
    });
    await app.drain();
    const chatId = created.chat_id;
    const group = await db()
      .selectFrom('group_chats')
      .selectAll()
      .where('chat_id', '=', chatId)
      .executeTakeFirstOrThrow();
    expect(group).toMatchObject({
      name: '会员福利群',
      owner: 'zhangsan',
      notice: '每周三上新',
      status: 'active',
    });
    expect(await timelineKinds(c1!)).toContain('group_joined');

    await app.sim.fire.updateChat({
      chat_id: chatId,
      update_detail: 'add_member',
      members: [{ userid: c2!, type: 2 }],
    });
    await app.drain();
    expect(await timelineKinds(c2!)).toContain('group_joined');

    await app.sim.fire.updateChat({
      chat_id: chatId,
      update_detail: 'del_member',
      userids: [c1!],
      memChangeListForm: 'csv',
    });
    await app.drain();
    expect(await timelineKinds(c1!)).toContain('group_left');
    const members = await db()
      .selectFrom('group_members')
      .select(['member_id', 'left_at'])
      .where('chat_id', '=', chatId)
      .execute();
    expect(members.find((m) => m.member_id === c1)?.left_at).not.toBeNull();

    await app.sim.fire.dismissChat(chatId);
    await app.drain();
    expect(await timelineKinds(c2!)).toContain('group_left');
    const dismissed = await db()
      .selectFrom('group_chats')
      .select('status')
      .where('chat_id', '=', chatId)
      .executeTakeFirstOrThrow();
    expect(dismissed.status).toBe('dismissed');
  });
});

describe('change_external_tag', () => {
  it('any tag change resyncs the corp catalogue', async () => {
    const created = await app.sim.fire.tag({
      change_type: 'create',
      tag_type: 'tag',
      group_id: 'g-level',
      name: '复购',
    });
    await app.drain();
    const tag = await db()
      .selectFrom('tags')
      .selectAll()
      .where('tag_id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(tag).toMatchObject({ name: '复购', group_id: 'g-level', deleted: false });
    await app.sim.fire.tag({ change_type: 'delete', tag_type: 'tag', id: created.id });
    await app.drain();
    const deleted = await db()
      .selectFrom('tags')
      .select('deleted')
      .where('tag_id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(deleted.deleted).toBe(true);
  });
});

describe('staff messages to the app', () => {
  it('are acknowledged and handed to the bot job', async () => {
    const fired = await app.sim.fire.textMessage({ userid: 'zhangsan', content: '任务' });
    expect(fired.body).toBe('success');
    const completed = await eventually(
      () => app.runtime.ctx.jobs.queue('default').getJobs(['completed']),
      (jobs) => jobs.some((j) => j.name === 'bot.staff-message' && j.data.Content === '任务'),
    );
    expect(completed.some((j) => j.name === 'bot.staff-message')).toBe(true);
  });
});

describe('initial sync', () => {
  it('imports staff, every customer with relations and tags, and groups', async () => {
    await app.sim.addStaff({ userid: 'wangwu', name: '王五', hasContactPermission: true });
    await app.sim.generateCustomers({ count: 250, userids: ['wangwu'], tag_ids: ['t-vip'] });
    await app.sim.addGroup({ name: '同步群', owner: 'wangwu', members: [{ userid: 'wangwu', type: 1 }] });
    const result = await app.runtime.services.fullSync.run('test-run-1');
    expect(result.customers).toBeGreaterThanOrEqual(250);
    const staff = await db()
      .selectFrom('staff')
      .selectAll()
      .where('userid', '=', 'wangwu')
      .executeTakeFirstOrThrow();
    expect(staff).toMatchObject({ name: '王五', has_contact_permission: true });
    expect(await countOf('follow_relations', 'wangwu')).toBe(250);
    expect(await countOf('customer_tags', 'wangwu')).toBe(250);
    const group = await db()
      .selectFrom('group_chats')
      .select('name')
      .where('name', '=', '同步群')
      .executeTakeFirst();
    expect(group).toBeDefined();
    // a second run changes nothing and duplicates nothing
    await app.runtime.services.fullSync.run('test-run-2');
    expect(await countOf('follow_relations', 'wangwu')).toBe(250);
  });

  it('resumes a run that failed midway after the last page it wrote, counting every customer once', async () => {
    const { fullSync } = app.runtime.services;
    await app.sim.addStaff({ userid: 'zhaoliu', name: '赵六', hasContactPermission: true });
    await app.sim.generateCustomers({ count: 350, userids: ['zhaoliu'], tag_ids: [] });
    const pageCalls = async () => (await app.sim.counters()).calls['externalcontact/batch/get_by_user'] ?? 0;
    let before = await pageCalls();
    const complete = await fullSync.run('resume-complete');
    const pages = (await pageCalls()) - before;
    expect(pages).toBeGreaterThanOrEqual(4);

    // the third page request fails for good (not retried): the run stops with some pages written
    await app.sim.injectFault({ path: 'externalcontact/batch/get_by_user', errcode: 60011, after: 2 });
    await expect(fullSync.run('resume-interrupted')).rejects.toMatchObject({ errcode: 60011 });
    const saved = await db()
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'wecom.sync.progress')
      .executeTakeFirstOrThrow();
    const written = (saved.value as { customers: number }).customers;
    expect(written).toBeGreaterThan(0);

    // the retry (same run id) fetches only what was not written, and counts each customer once
    before = await pageCalls();
    const resumed = await fullSync.run('resume-interrupted');
    expect((await pageCalls()) - before).toBeLessThan(pages);
    expect(resumed.customers).toBe(complete.customers);
    expect(await countOf('follow_relations', 'zhaoliu')).toBe(350);
  });
});

describe('the welcome message under load', () => {
  it('is sent within 2 s of the callback while 1,000 other jobs wait', async () => {
    const jobs = app.runtime.ctx.jobs;
    await jobs.enqueueMany(
      'wecom.tag-event',
      Array.from({ length: 1000 }, (_, i) => ({
        data: {
          ToUserName: TEST_WECOM.corpId,
          CreateTime: 1_800_001_000 + i,
          MsgType: 'event' as const,
          Event: 'change_external_tag' as const,
          ChangeType: 'shuffle' as const,
          Id: '',
        },
      })),
    );
    const started = Date.now();
    const fired = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '忙时新客' },
    });
    const welcomed = await eventually(
      async () => (await app.sim.sent.welcomeMessages()).some((w) => w.welcome_code === fired.welcome_code),
      (ok) => ok,
      5000,
    );
    const elapsed = Date.now() - started;
    expect(welcomed).toBe(true);
    expect(elapsed).toBeLessThan(2000);
    const waiting = await jobs.queue('sync').getJobCounts('waiting', 'active');
    expect((waiting.waiting ?? 0) + (waiting.active ?? 0)).toBeGreaterThan(0);
    await app.drain(60_000);
  });
});

describe('Redis unavailable', () => {
  it('answers 503 so WeCom retries, never success for an event it did not keep', async () => {
    const logger = createLogger({ level: 'silent' });
    const redis = await startLocalRedis({ logger });
    const own = await startSimApp({ config: { redisUrl: redis.url, roles: new Set(['api']) } });
    try {
      await own.sim.addStaff({ userid: 'zhangsan', name: '张三' });
      await redis.stop();
      await eventually(
        async () => own.runtime.ctx.redis.status,
        (s) => s !== 'ready',
        5000,
      );
      const fired = await own.sim.fire.addExternalContact({
        userid: 'zhangsan',
        customer: { name: '断线客户' },
      });
      expect(fired.status).toBe(503);
      expect(fired.body).not.toBe('success');
    } finally {
      await own.stop();
    }
  });
});

describe('the scheduler role', () => {
  it('upserts the nightly sync in Asia/Shanghai time and starts the first import on a new installation', async () => {
    const own = await startSimApp({ config: { roles: new Set(['api', 'worker', 'scheduler']) } });
    try {
      const schedulers = await own.runtime.ctx.jobs.queue('sync').getJobSchedulers();
      expect(schedulers).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: 'wecom-nightly-sync', tz: 'Asia/Shanghai' })]),
      );
      const done = await eventually(
        () => own.runtime.services.fullSync.hasCompletedOnce(),
        (v) => v,
        15_000,
      );
      expect(done).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
