import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../server/infra/logger.js';
import {
  RateLimiter,
  WeComApiError,
  WeComClient,
  type WeComClientOptions,
  WeComNotStaffError,
  WeComTransportError,
} from '../../server/wecom/index.js';
import { SimulatorClient } from '../../simulator/client.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../simulator/index.js';

const simOptions: SimulatorOptions = {
  corpId: 'wwclienttest0001',
  corpSecret: 'client-test-secret-0123456789',
  agentId: 1000002,
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

let sim: RunningSimulator;
let control: SimulatorClient;
let redis: Redis;
let prefix: string;
const silent = createLogger({ level: 'silent' });

/** A sleep that records what it was asked for and returns at once. */
function fastSleep() {
  const calls: number[] = [];
  const sleep = async (ms: number) => {
    calls.push(ms);
  };
  return { calls, sleep };
}

function makeClient(overrides: Partial<WeComClientOptions> = {}): WeComClient {
  return new WeComClient({
    apiBase: sim.url,
    corpId: simOptions.corpId,
    secret: simOptions.corpSecret,
    agentId: simOptions.agentId,
    redis,
    logger: silent,
    keyPrefix: prefix,
    sleep: fastSleep().sleep,
    ...overrides,
  });
}

async function counters() {
  const c = await control.counters();
  return { gettoken: c.gettoken, calls: (path: string) => c.calls[path] ?? 0 };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

/** An HTTP server that answers each request with `answer(path, query)` (or never, when null). */
async function startStub(
  answer: (path: string, query: URLSearchParams) => unknown | null,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const body = answer(url.pathname.replace(/^\/cgi-bin\//, ''), url.searchParams);
    if (body === null) return; // never answers
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  sim = await startSimulator(simOptions);
  control = new SimulatorClient(sim.url);
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  await redis?.quit();
  await sim?.close();
});

beforeEach(async () => {
  prefix = `wecom-test-${randomUUID()}`;
  await control.reset();
  await control.addStaff({ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' });
});

describe('access token', () => {
  it('is fetched once, cached in Redis with TTL expires_in − 300 s, and shared by other processes', async () => {
    const client = makeClient();
    await client.getFollowUserList();
    await client.getFollowUserList();
    // another process (another client instance) on the same Redis and prefix
    await makeClient().getFollowUserList();
    const c = await counters();
    expect(c.gettoken).toBe(1);
    expect(c.calls('externalcontact/get_follow_user_list')).toBe(3);

    const keys = await redis.keys(`${prefix}:wecom:cred:access_token:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(simOptions.corpSecret);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(6890);
    expect(ttl).toBeLessThanOrEqual(6900);
  });

  it('50 concurrent calls that all meet an expired token cause exactly one refresh', async () => {
    const processes = [makeClient(), makeClient(), makeClient()];
    await processes[0]!.getFollowUserList();
    expect((await counters()).gettoken).toBe(1);
    expect(await control.expireTokens()).toBeGreaterThan(0);

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => processes[i % processes.length]!.getFollowUserList()),
    );
    expect(results.every((r) => r.errcode === 0 && r.follow_user.includes('zhangsan'))).toBe(true);
    const c = await counters();
    expect(c.gettoken).toBe(2);
    // each call: once with the stale token, once after the refresh
    expect(c.calls('externalcontact/get_follow_user_list')).toBe(1 + 50 + 50);
  });

  it('refreshes once and retries once on 40014, and on 42001', async () => {
    const client = makeClient();
    const externalUserid = await control.addCustomer({
      name: '王五',
      follow_users: [{ userid: 'zhangsan' }],
    });
    await client.getExternalContact(externalUserid);

    await control.injectFault({ path: 'externalcontact/get', errcode: 40014 });
    const answer = await client.getExternalContact(externalUserid);
    expect(answer.external_contact.name).toBe('王五');
    expect(answer.follow_user[0]?.userid).toBe('zhangsan');

    await control.injectFault({ path: 'externalcontact/get', errcode: 42001 });
    await client.getExternalContact(externalUserid);

    const c = await counters();
    expect(c.gettoken).toBe(3);
    expect(c.calls('externalcontact/get')).toBe(5);
  });

  it('does not loop when the refreshed token is rejected again', async () => {
    const client = makeClient();
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 42001, count: 5 });
    const err = await caught(client.getFollowUserList());
    expect(err).toBeInstanceOf(WeComApiError);
    expect(err).toMatchObject({ errcode: 42001, permanent: false, tokenRejected: true });
    const c = await counters();
    expect(c.calls('externalcontact/get_follow_user_list')).toBe(2);
    expect(c.gettoken).toBe(2);
  });

  it('a bad secret (40001) is permanent, and gettoken is called once however often we ask', async () => {
    const client = makeClient({ secret: 'not-the-secret' });
    const first = await caught(client.getFollowUserList());
    expect(first).toBeInstanceOf(WeComApiError);
    expect(first).toMatchObject({ errcode: 40001, permanent: true, api: 'gettoken' });
    expect((first as Error).message).not.toContain('not-the-secret');

    const more = await Promise.all([
      caught(client.getFollowUserList()),
      caught(makeClient({ secret: 'not-the-secret' }).getJsapiTicket()),
      caught(client.getAccessToken()),
    ]);
    for (const err of more) expect(err).toMatchObject({ errcode: 40001, permanent: true });
    expect((await counters()).gettoken).toBe(1);
  });
});

describe('errcodes', () => {
  it('are classified: permanent, frequency-limited, busy, token', () => {
    const err = (errcode: number) => new WeComApiError({ api: 'x', errcode, errmsg: '' });
    for (const code of [
      40001, 40003, 40029, 40031, 40068, 40096, 41051, 48002, 50001, 60011, 60020, 81013, 84061,
    ]) {
      expect(err(code), String(code)).toMatchObject({
        permanent: true,
        frequencyLimited: false,
        busy: false,
      });
    }
    for (const code of [45009, 45011, 45033]) {
      expect(err(code), String(code)).toMatchObject({ permanent: false, frequencyLimited: true });
    }
    expect(err(-1)).toMatchObject({ permanent: false, busy: true });
    expect(err(42001)).toMatchObject({ permanent: false, tokenRejected: true });
    expect(err(40014)).toMatchObject({ permanent: false, tokenRejected: true });
    expect(err(41063)).toMatchObject({ permanent: false });
  });

  it('45009 twice: backs off (exponential, with jitter) and succeeds on the third try', async () => {
    const { calls, sleep } = fastSleep();
    const client = makeClient({ sleep, random: () => 0.5 });
    await client.getFollowUserList();
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 45009, count: 2 });
    const answer = await client.getFollowUserList();
    expect(answer.follow_user).toContain('lisi');
    expect(calls).toEqual([750, 1500]);
    expect((await counters()).calls('externalcontact/get_follow_user_list')).toBe(4);
  });

  it('busy (−1) is retried; persistent frequency limits are thrown as retryable after 3 retries', async () => {
    const { calls, sleep } = fastSleep();
    const client = makeClient({ sleep });
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: -1 });
    await client.getFollowUserList();
    expect(calls).toHaveLength(1);

    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 45033, count: 10 });
    const err = await caught(client.getFollowUserList());
    expect(err).toBeInstanceOf(WeComApiError);
    expect(err).toMatchObject({ errcode: 45033, permanent: false, frequencyLimited: true });
    expect(calls).toHaveLength(1 + 3);
    for (const [i, ms] of calls.slice(1).entries()) {
      expect(ms).toBeGreaterThanOrEqual(500 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(1000 * 2 ** i);
    }
    expect((await counters()).calls('externalcontact/get_follow_user_list')).toBe(2 + 4);
  });

  it('permanent errcodes (84061, 40068) are thrown with errcode and errmsg, and not retried', async () => {
    const { calls, sleep } = fastSleep();
    const client = makeClient({ sleep });
    const [group] = await control.upsertTagGroups({ group_name: '客户等级', tags: [{ name: 'VIP' }] });
    const tagId = group!.tag[0]!.id;
    const externalUserid = await control.addCustomer({
      name: '赵六',
      follow_users: [{ userid: 'zhangsan' }],
    });

    const noRelation = await caught(client.markTag({ userid: 'lisi', externalUserid, addTag: [tagId] }));
    expect(noRelation).toBeInstanceOf(WeComApiError);
    expect(noRelation).toMatchObject({
      errcode: 84061,
      permanent: true,
      frequencyLimited: false,
      api: 'externalcontact/mark_tag',
    });
    expect((noRelation as WeComApiError).errmsg).toContain('not external contact');

    const badTag = await caught(
      client.markTag({ userid: 'zhangsan', externalUserid, addTag: ['no-such-tag'] }),
    );
    expect(badTag).toMatchObject({ errcode: 40068, permanent: true });
    expect(calls).toEqual([]);
    expect((await counters()).calls('externalcontact/mark_tag')).toBe(2);

    await client.markTag({ userid: 'zhangsan', externalUserid, addTag: [tagId] });
    expect(await control.sent.markTags()).toMatchObject([
      { userid: 'zhangsan', external_userid: externalUserid, add_tag: [tagId], remove_tag: [] },
    ]);
  });

  it('a server that never answers → WeComTransportError after timeoutMs', async () => {
    const stub = await startStub(() => null);
    try {
      const client = makeClient({ apiBase: stub.url, timeoutMs: 200 });
      const started = Date.now();
      const err = await caught(client.getFollowUserList());
      expect(err).toBeInstanceOf(WeComTransportError);
      expect(err).toMatchObject({ permanent: false, timedOut: true, api: 'gettoken' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(JSON.stringify(err)).not.toContain(simOptions.corpSecret);
      expect((err as Error).message).not.toContain(simOptions.corpSecret);
    } finally {
      await stub.close();
    }
  });

  it('an answer that trickles in forever is cut off by the hard deadline', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = makeClient({ apiBase: `http://127.0.0.1:${port}`, timeoutMs: 200 });
      const started = Date.now();
      const err = await caught(client.getAccessToken());
      expect(err).toBeInstanceOf(WeComTransportError);
      expect(err).toMatchObject({ timedOut: true });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a slow API call times out too, and a non-JSON HTTP 502 is a transport error', async () => {
    const client = makeClient({ timeoutMs: 200 });
    await client.getFollowUserList();
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 0, delayMs: 1500 });
    const slow = await caught(client.getFollowUserList());
    expect(slow).toBeInstanceOf(WeComTransportError);
    expect(slow).toMatchObject({ timedOut: true, api: 'externalcontact/get_follow_user_list' });

    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 0, httpStatus: 502 });
    const bad = await caught(client.getFollowUserList());
    expect(bad).toBeInstanceOf(WeComTransportError);
    expect(bad).toMatchObject({ permanent: false, details: { status: 502 } });
  });
});

describe('tickets', () => {
  it('jsapi and agent tickets are fetched once and cached for every process', async () => {
    const client = makeClient();
    const tickets = await control.tickets();
    expect(await client.getJsapiTicket()).toBe(tickets.jsapi_ticket);
    expect(await client.getJsapiTicket()).toBe(tickets.jsapi_ticket);
    expect(await makeClient().getJsapiTicket()).toBe(tickets.jsapi_ticket);
    expect(await client.getAgentTicket()).toBe(tickets.agent_ticket);
    expect(await makeClient().getAgentTicket()).toBe(tickets.agent_ticket);
    const c = await counters();
    expect(c.calls('get_jsapi_ticket')).toBe(1);
    expect(c.calls('ticket/get')).toBe(1);
    expect(c.gettoken).toBe(1);

    // invalidation is compare-and-delete
    expect(await client.invalidateJsapiTicket('some-other-ticket')).toBe(false);
    expect(await client.invalidateJsapiTicket(tickets.jsapi_ticket)).toBe(true);
    await client.getJsapiTicket();
    expect((await counters()).calls('get_jsapi_ticket')).toBe(2);
  });
});

describe('OAuth and staff', () => {
  it('getUserInfoByCode exchanges a simulator OAuth code; a used code is permanent 40029', async () => {
    const client = makeClient();
    const code = await control.issueOAuthCode('zhangsan');
    expect(await client.getUserInfoByCode(code)).toEqual({ userid: 'zhangsan' });
    const reused = await caught(client.getUserInfoByCode(code));
    expect(reused).toMatchObject({ errcode: 40029, permanent: true });

    const user = await client.getUser('lisi');
    expect(user).toMatchObject({ userid: 'lisi', name: '李四' });
    expect(await caught(client.getUser('nobody'))).toMatchObject({ errcode: 60111, permanent: true });
  });

  it('accepts `UserId`, and an openid-only answer is a permanent WeComNotStaffError', async () => {
    const stub = await startStub((path, query) => {
      if (path === 'gettoken')
        return { errcode: 0, errmsg: 'ok', access_token: 'stub-token', expires_in: 7200 };
      if (query.get('code') === 'old') return { errcode: 0, errmsg: 'ok', UserId: 'wangwu', DeviceId: '' };
      return { errcode: 0, errmsg: 'ok', openid: 'oAAAA', external_userid: 'wmXXX' };
    });
    try {
      const client = makeClient({ apiBase: stub.url });
      expect(await client.getUserInfoByCode('old')).toEqual({ userid: 'wangwu' });
      const err = await caught(client.getUserInfoByCode('visitor'));
      expect(err).toBeInstanceOf(WeComNotStaffError);
      expect(err).toBeInstanceOf(WeComApiError);
      expect(err).toMatchObject({ permanent: true, api: 'auth/getuserinfo' });
      expect((err as Error).message).toMatch(/not a member of this corp/);
    } finally {
      await stub.close();
    }
  });
});

describe('typed methods against the simulator', () => {
  it('customers, tags, remarks and behaviour data', async () => {
    const client = makeClient();
    const [group] = await control.upsertTagGroups({
      group_name: '来源',
      tags: [{ name: '展会' }, { name: '官网' }],
    });
    const tagIds = group!.tag.map((t) => t.id);
    const ids = await control.addCustomers([
      { name: 'A', follow_users: [{ userid: 'zhangsan', tag_ids: [tagIds[0]!], state: 'expo' }] },
      { name: 'B', follow_users: [{ userid: 'zhangsan' }, { userid: 'lisi' }] },
      { name: 'C', follow_users: [{ userid: 'zhangsan' }] },
    ]);

    const one = await client.getExternalContact(ids[0]!);
    expect(one.follow_user[0]).toMatchObject({ userid: 'zhangsan', state: 'expo' });
    expect(one.follow_user[0]?.tags?.[0]).toMatchObject({
      tag_id: tagIds[0],
      tag_name: '展会',
      group_name: '来源',
    });

    const page1 = await client.batchGetByUser({ useridList: ['zhangsan', 'lisi'], limit: 2 });
    expect(page1.external_contact_list).toHaveLength(2);
    expect(page1.next_cursor).toBeTruthy();
    const page2 = await client.batchGetByUser({
      useridList: ['zhangsan', 'lisi'],
      limit: 2,
      cursor: page1.next_cursor!,
    });
    expect(page2.external_contact_list).toHaveLength(2);
    expect(page2.next_cursor ?? '').toBe('');
    expect(page1.external_contact_list[0]?.follow_info.tag_id).toEqual([tagIds[0]]);

    expect((await client.listExternalContacts('lisi')).external_userid).toEqual([ids[1]]);
    expect((await client.getCorpTagList()).tag_group[0]?.tag.map((t) => t.name)).toEqual(['展会', '官网']);
    expect((await client.getCorpTagList({ tagIds: [tagIds[1]!] })).tag_group[0]?.tag).toHaveLength(1);

    await client.remark({
      userid: 'zhangsan',
      externalUserid: ids[2]!,
      remark: '老客户',
      description: 'VIP',
    });
    expect((await control.getCustomer(ids[2]!)).follow_user[0]).toMatchObject({ remark: '老客户' });

    const behavior = await client.getUserBehaviorData({
      userids: ['zhangsan'],
      startTime: new Date('2024-05-01T00:00:00+08:00'),
      endTime: new Date('2024-05-03T00:00:00+08:00'),
    });
    expect(behavior.behavior_data).toHaveLength(3);
    expect(behavior.behavior_data[0]).toHaveProperty('chat_cnt');
  });

  it('welcome messages, mass sends and their results', async () => {
    const client = makeClient();
    // the event needs somewhere to go: a receiver that answers `success`
    const receiver = createServer((_req, res) => res.end('success'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    await control.setCallbackUrl(`http://127.0.0.1:${port}/wecom/callback`);
    const added = await control.fire
      .addExternalContact({ userid: 'zhangsan', customer: { name: '新客' } })
      .finally(async () => {
        await control.setCallbackUrl(null);
        receiver.closeAllConnections();
        receiver.close();
      });
    await client.sendWelcomeMsg({
      welcomeCode: added.welcome_code!,
      text: '你好',
      attachments: [{ msgtype: 'link', link: { title: '官网', url: 'https://example.com' } }],
    });
    expect(await control.sent.welcomeMessages()).toMatchObject([
      { userid: 'zhangsan', external_userid: added.external_userid, text: { content: '你好' } },
    ]);
    const again = await caught(client.sendWelcomeMsg({ welcomeCode: added.welcome_code!, text: '你好' }));
    expect(again).toMatchObject({ errcode: 41051, permanent: true });

    const task = await client.addMsgTemplate({
      chatType: 'single',
      externalUserids: [added.external_userid, 'wm-unknown'],
      sender: 'zhangsan',
      text: '五一活动',
    });
    expect(task.msgid).toBeTruthy();
    expect(task.fail_list).toEqual(['wm-unknown']);
    expect((await client.getGroupMsgTask({ msgid: task.msgid })).task_list).toEqual([
      { userid: 'zhangsan', status: 0 },
    ]);
    await control.setMassSendStatus(task.msgid, { external_userid: added.external_userid, status: 1 });
    const result = await client.getGroupMsgSendResult({ msgid: task.msgid, userid: 'zhangsan' });
    expect(result.send_list).toMatchObject([{ external_userid: added.external_userid, status: 1 }]);
    await client.remindGroupMsgSend(task.msgid);
    await client.cancelGroupMsgSend(task.msgid);
  });

  it('groups, contact ways, app messages and robots', async () => {
    const client = makeClient();
    const customer = await control.addCustomer({ name: '群友', follow_users: [{ userid: 'zhangsan' }] });
    const chatId = await control.addGroup({
      name: '福利群',
      owner: 'zhangsan',
      members: [{ userid: 'zhangsan' }, { userid: customer, type: 2 }],
    });
    const list = await client.groupChatList({ limit: 10, ownerUserids: ['zhangsan'] });
    expect(list.group_chat_list).toEqual([{ chat_id: chatId, status: 0 }]);
    const chat = await client.groupChatGet(chatId);
    expect(chat.group_chat.member_list.map((m) => m.name)).toEqual(['张三', '群友']);

    const way = await client.addContactWay({ type: 1, scene: 2, user: ['zhangsan'], state: 'expo2024' });
    expect(way.config_id).toBeTruthy();
    expect(way.qr_code).toBeTruthy();
    await client.updateContactWay(way.config_id, { remark: '展会' });
    expect((await client.getContactWay(way.config_id)).contact_way).toMatchObject({
      state: 'expo2024',
      remark: '展会',
    });
    await client.delContactWay(way.config_id);
    expect(await control.contactWays()).toEqual([]);

    const sent = await client.sendAppMessage({
      touser: ['zhangsan', 'ghost'],
      msgtype: 'text',
      text: { content: '有新客户' },
      enableDuplicateCheck: true,
    });
    expect(sent.invaliduser).toEqual(['ghost']);
    expect(sent.msgid).toBeTruthy();
    const [appMessage] = await control.sent.appMessages();
    expect(appMessage).toMatchObject({ agentid: simOptions.agentId, touser: ['zhangsan'] });
    expect(appMessage?.body).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 1800 });
    expect(
      await caught(client.sendAppMessage({ touser: ['ghost'], msgtype: 'text', text: { content: 'x' } })),
    ).toMatchObject({ errcode: 81013, permanent: true });

    const before = (await counters()).gettoken;
    await client.sendRobotMessage('robot-key-1', { msgtype: 'markdown', markdown: { content: '**日报**' } });
    expect(await control.sent.robotMessages()).toMatchObject([{ key: 'robot-key-1', msgtype: 'markdown' }]);
    expect((await counters()).gettoken).toBe(before);
  });
});

/** A clock that moves only when slept on, so what a limiter waited is exactly what it slept. */
function sleepingClock(start: number) {
  const clock = {
    time: start,
    slept: [] as number[],
    options: {
      now: () => clock.time,
      sleep: async (ms: number) => {
        clock.slept.push(ms);
        clock.time += ms;
      },
      random: () => 0,
    },
  };
  return clock;
}

describe('rate limiting', () => {
  it('the N+1st acquisition within a window waits for the window to slide', async () => {
    const clock = sleepingClock(1_700_000_040_000); // a multiple of the 1 s window
    const limiter = new RateLimiter({ redis, keyPrefix: prefix, scope: 'unit', ...clock.options });
    const rule = { bucket: 'api:x', limit: 3, windowMs: 1000 };
    for (let i = 0; i < 3; i++) expect(await limiter.acquire([rule])).toBe(0);
    expect(clock.slept).toEqual([]);

    const start = clock.time;
    const waited = await limiter.acquire([rule]);
    // a burst of 3 at t=0 still counts 3 × (1 − f) at f into the next window: room at f = 1/3
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThanOrEqual(1400);
    expect(clock.time - start).toBe(waited);

    // another bucket is independent
    expect(await limiter.acquire([{ ...rule, bucket: 'api:y' }])).toBe(0);
  });

  it('gives up with WeComRateLimitError beyond maxWaitMs', async () => {
    const limiter = new RateLimiter({
      redis,
      keyPrefix: prefix,
      scope: 'unit',
      now: () => 1_700_000_000_000,
      sleep: async () => {},
      maxWaitMs: 500,
    });
    const rule = { bucket: 'api:z', limit: 1, windowMs: 60_000 };
    await limiter.acquire([rule]);
    await expect(limiter.acquire([rule])).rejects.toMatchObject({
      name: 'WeComRateLimitError',
      permanent: false,
      bucket: 'api:z',
    });
  });

  it('under load a process leases slots in blocks: far fewer Redis calls, and Redis counts every slot', async () => {
    const limiter = new RateLimiter({ redis, keyPrefix: prefix, scope: 'lease' });
    const rules = [{ bucket: 'api:lease', limit: 8_000, windowMs: 60_000 }]; // blocks of up to 40
    const monitor = await redis.monitor();
    let calls = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (/^eval/i.test(args[0] ?? '') && args.some((a) => a.includes(`${prefix}:wecom:rl:lease`))) calls++;
    });
    await Promise.all(Array.from({ length: 500 }, () => limiter.acquire(rules)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    monitor.disconnect();
    const keys = await redis.keys(`${prefix}:wecom:rl:lease:*`);
    const counted = (await redis.mget(...keys)).reduce((sum, v) => sum + Number(v ?? 0), 0);
    expect(counted).toBeGreaterThanOrEqual(500);
    expect(counted).toBeLessThanOrEqual(500 + 40);
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(40);

    // a small limit is never leased: one Redis call per slot, as the tests above rely on
    const small = [{ bucket: 'api:lease-small', limit: 100, windowMs: 60_000 }];
    for (let i = 0; i < 5; i++) await limiter.acquire(small);
    expect(
      Number(await redis.get((await redis.keys(`${prefix}:wecom:rl:lease:api:lease-small:*`))[0]!)),
    ).toBe(5);
  });

  it('leases never take more than the limit: every slot is used, and the one after them waits', async () => {
    const clock = sleepingClock(1_700_000_040_000); // a minute boundary
    const limiter = new RateLimiter({ redis, keyPrefix: prefix, scope: 'lease-full', ...clock.options });
    const rules = [{ bucket: 'api:full', limit: 2_000, windowMs: 60_000 }]; // blocks of up to 10
    for (let i = 0; i < 2_000; i++) expect(await limiter.acquire(rules)).toBe(0);
    expect(clock.slept).toEqual([]);
    const [key] = await redis.keys(`${prefix}:wecom:rl:lease-full:*`);
    expect(Number(await redis.get(key!))).toBe(2_000);
    expect(await limiter.acquire(rules)).toBeGreaterThan(0);
  });

  it('app messages to one recipient are held below 30/min', async () => {
    const clock = sleepingClock(1_700_000_040_000); // a minute boundary
    const { slept } = clock;
    const client = makeClient({
      ...clock.options,
      rateLimits: { appMessagesPerRecipientPerMinute: 2 },
    });
    const send = (touser: string[]) =>
      client.sendAppMessage({ touser, msgtype: 'text', text: { content: 'hi' } });
    await send(['zhangsan']);
    await send(['zhangsan', 'lisi']);
    expect(slept).toEqual([]);
    await send(['lisi']);
    expect(slept).toEqual([]);
    await send(['zhangsan']);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(60_000);
    expect(await control.sent.appMessages()).toHaveLength(4);
  });
});

describe('logging', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  afterEach(() => {
    lines.length = 0;
  });

  it('never writes the access token, the secret, tickets or robot keys', async () => {
    const logger = pino({ level: 'trace' }, stream);
    const { sleep } = fastSleep();
    const client = makeClient({ logger, sleep });
    const token = await client.getAccessToken();
    const jsapi = await client.getJsapiTicket();
    const agent = await client.getAgentTicket();

    await control.expireTokens();
    await client.getFollowUserList();
    const refreshed = await client.getAccessToken();
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: 45009 });
    await client.getFollowUserList();
    await control.injectFault({ path: 'externalcontact/get_follow_user_list', errcode: -1, count: 10 });
    const errors = [await caught(client.getFollowUserList())];
    errors.push(
      await caught(client.markTag({ userid: 'zhangsan', externalUserid: 'nobody', addTag: ['t'] })),
    );
    await client.sendRobotMessage('secret-robot-key', { msgtype: 'text', text: { content: 'x' } });
    await control.injectFault({ path: 'webhook/send', errcode: 93000 });
    errors.push(
      await caught(client.sendRobotMessage('secret-robot-key', { msgtype: 'text', text: { content: 'x' } })),
    );
    const bad = makeClient({ logger, secret: 'wrong-secret-value' });
    errors.push(await caught(bad.getFollowUserList()));
    for (const err of errors) logger.error({ err }, 'as the worker would log it');

    const output = lines.join('');
    expect(output).toContain('backing off');
    expect(output).toContain('externalcontact/get_follow_user_list');
    for (const secret of [
      token,
      refreshed,
      jsapi,
      agent,
      simOptions.corpSecret,
      'wrong-secret-value',
      'secret-robot-key',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
