import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simOptions, startTestSimulator, type TestSimulator } from './fixture.js';

let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(async () => {
  await t.sim.close();
});
beforeEach(async () => {
  await t.client.reset();
  t.api.token = '';
});

describe('gettoken and token validation', () => {
  it('issues a token for the right secret and counts the calls', async () => {
    const answer = await t.api.get('gettoken', {
      corpid: simOptions.corpId,
      corpsecret: simOptions.corpSecret,
    });
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(typeof answer.access_token).toBe('string');

    const again = await t.api.get('gettoken', {
      corpid: simOptions.corpId,
      corpsecret: simOptions.corpSecret,
    });
    expect(again.access_token).toBe(answer.access_token);
    expect((await t.client.counters()).gettoken).toBe(2);
  });

  it('answers 40001 for a wrong secret and 40013 for a wrong corp id', async () => {
    expect((await t.api.get('gettoken', { corpid: simOptions.corpId, corpsecret: 'nope' })).errcode).toBe(
      40001,
    );
    expect(
      (await t.api.get('gettoken', { corpid: 'wwother', corpsecret: simOptions.corpSecret })).errcode,
    ).toBe(40013);
  });

  it('answers 40014 for an unknown token and 42001 once tokens are expired', async () => {
    await t.client.addStaff({ userid: 'zhangsan' });
    t.api.token = 'not-a-token';
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(40014);

    await t.api.login();
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(0);
    expect(await t.client.expireTokens()).toBe(1);
    const expired = await t.api.get('user/get', { userid: 'zhangsan' });
    expect(expired.errcode).toBe(42001);
    expect(expired.errmsg).toContain('42001');

    const fresh = await t.api.login();
    expect(fresh).not.toBe('');
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).userid).toBe('zhangsan');
  });

  it('expires tokens after 7200 s of simulated time', async () => {
    await t.client.addStaff({ userid: 'zhangsan' });
    await t.api.login();
    await t.client.advanceClock(7201);
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(42001);
  });
});

describe('fault injection', () => {
  it('answers the next N calls to a path with the injected errcode, then recovers', async () => {
    await t.client.addStaff({ userid: 'zhangsan' });
    await t.api.login();
    await t.client.injectFault({ path: '/cgi-bin/user/get', errcode: 45009, count: 2 });

    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(45009);
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(45009);
    expect((await t.api.get('user/get', { userid: 'zhangsan' })).errcode).toBe(0);
    expect((await t.client.counters()).calls['user/get']).toBe(3);
  });

  it('can fail gettoken itself and answer a bare HTTP status', async () => {
    await t.client.injectFault({ path: 'gettoken', errcode: -1 });
    await t.client.injectFault({ path: 'gettoken', errcode: 0, httpStatus: 502 });
    expect(
      (await t.api.get('gettoken', { corpid: simOptions.corpId, corpsecret: simOptions.corpSecret })).errcode,
    ).toBe(-1);
    const res = await fetch(
      `${t.sim.url}/cgi-bin/gettoken?corpid=${simOptions.corpId}&corpsecret=${simOptions.corpSecret}`,
    );
    expect(res.status).toBe(502);
    expect(
      (await t.api.get('gettoken', { corpid: simOptions.corpId, corpsecret: simOptions.corpSecret })).errcode,
    ).toBe(0);
  });
});

describe('OAuth', () => {
  const authorize = (query: Record<string, string>) => {
    const url = new URL('/connect/oauth2/authorize', t.sim.url);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return fetch(url, { redirect: 'manual' });
  };
  const standard = {
    appid: simOptions.corpId,
    redirect_uri: 'http://product.test/auth/callback?x=1',
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'abc123',
    agentid: String(simOptions.agentId),
  };

  it('redirects straight back with a single-use code when auto-login is set', async () => {
    await t.client.addStaff({ userid: 'lisi', name: '李四' });
    await t.client.setAutoLogin('lisi');
    const res = await authorize(standard);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('http://product.test/auth/callback');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('state')).toBe('abc123');
    const code = location.searchParams.get('code') ?? '';

    await t.api.login();
    expect(await t.api.get('auth/getuserinfo', { code })).toMatchObject({ errcode: 0, userid: 'lisi' });
    expect((await t.api.get('auth/getuserinfo', { code })).errcode).toBe(40029);
    expect((await t.api.get('auth/getuserinfo', { code: 'made-up' })).errcode).toBe(40029);
  });

  it('otherwise shows a member picker whose links issue codes', async () => {
    await t.client.addStaff({ userid: 'lisi', name: '李四' }, { userid: 'wangwu', name: '王五' });
    const res = await authorize(standard);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('选择登录成员');
    expect(html).toContain('王五');
    const href = /href="([^"]*userid=wangwu[^"]*)"/.exec(html)?.[1]?.replaceAll('&#38;', '&') ?? '';
    const pick = await fetch(new URL(href, `${t.sim.url}/connect/oauth2/authorize`), { redirect: 'manual' });
    expect(pick.status).toBe(302);
    const code = new URL(pick.headers.get('location') ?? '').searchParams.get('code') ?? '';
    await t.api.login();
    expect((await t.api.get('auth/getuserinfo', { code })).userid).toBe('wangwu');
  });

  it('refuses a wrong appid', async () => {
    const res = await authorize({ ...standard, appid: 'wwother' });
    expect(res.status).toBe(400);
  });
});
