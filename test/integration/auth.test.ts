import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/http/middleware/session.js';
import { startLocalRedis } from '../../server/infra/local-redis.js';
import { createLogger } from '../../server/infra/logger.js';
import { meSchema } from '../../shared/api.js';
import { asUser, cookieFrom, loginAs, onApp } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';
import { startTestApp, TEST_WECOM } from '../support/test-app.js';

let app: SimApp;

beforeAll(async () => {
  app = await startSimApp();
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三' },
    { userid: 'boss', name: '王主管' },
    { userid: 'root', name: '管理员' },
  );
});

afterAll(async () => {
  await app?.stop();
});

async function me(cookie?: string) {
  return fetch(`${app.url}/api/me`, { headers: cookie ? { cookie } : {} });
}

/** /auth/login's answer: WeCom's authorize URL and the cookie binding its state. */
async function startLogin(redirect = '/') {
  const res = await fetch(`${app.url}/auth/login?redirect=${encodeURIComponent(redirect)}`, {
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  const state = new URL(location).searchParams.get('state')!;
  return { location, state, cookie: cookieFrom(res, 'scrm.oauth')! };
}

const callback = (query: Record<string, string>, cookie?: string) =>
  fetch(`${app.url}/auth/callback?${new URLSearchParams(query)}`, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });

describe('WeCom OAuth login', () => {
  it('sends the browser to WeCom’s authorize URL with snsapi_base and a fresh state', async () => {
    const { location, state, cookie } = await startLogin('/workbench');
    const expected =
      `${app.simServer.url}/connect/oauth2/authorize?appid=${TEST_WECOM.corpId}` +
      `&redirect_uri=${encodeURIComponent('http://localhost:3000/auth/callback')}` +
      `&response_type=code&scope=snsapi_base&state=${state}&agentid=${TEST_WECOM.agentId}#wechat_redirect`;
    expect(location).toBe(expected);
    expect(state).toMatch(/^[a-zA-Z0-9]{1,128}$/);
    expect(cookie).toBe(`scrm.oauth=${state}`);
    const again = await startLogin('/workbench');
    expect(again.state).not.toBe(state);
  });

  it('completes the round trip through the simulator: session, name from user/get, redirect kept', async () => {
    await app.sim.setAutoLogin('zhangsan');
    const { location, cookie } = await startLogin('/customers/abc?tab=orders');
    const authorize = await fetch(location, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const back = await fetch(onApp(app, authorize.headers.get('location')!), {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/customers/abc?tab=orders');
    const session = cookieFrom(back, SESSION_COOKIE)!;
    expect(session).toBeDefined();

    const res = await me(session);
    expect(res.status).toBe(200);
    expect(meSchema.parse(await res.json())).toEqual({ userid: 'zhangsan', name: '张三', role: 'staff' });
    const staff = await app.runtime.ctx.db
      .selectFrom('staff')
      .select('name')
      .where('userid', '=', 'zhangsan')
      .executeTakeFirst();
    expect(staff?.name).toBe('张三');
  });

  it('takes the role from SUPERVISOR_USERIDS and ADMIN_USERIDS', async () => {
    const roleOf = async (userid: string) =>
      meSchema.parse(await (await me(await loginAs(app, userid))).json()).role;
    expect(await roleOf('boss')).toBe('supervisor');
    expect(await roleOf('root')).toBe('admin');
    expect(await roleOf('zhangsan')).toBe('staff');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie, not Secure on an http PUBLIC_URL', async () => {
    await app.sim.setAutoLogin('zhangsan');
    const { location, cookie } = await startLogin();
    const authorize = await fetch(location, { redirect: 'manual' });
    const back = await callback(
      Object.fromEntries(new URL(authorize.headers.get('location')!).searchParams),
      cookie,
    );
    const header = back.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(header).toMatch(/; HttpOnly/i);
    expect(header).toMatch(/; SameSite=Lax/i);
    expect(header).not.toMatch(/; Secure/i);
    expect(header).toMatch(/; Path=\//);
  });

  it('refuses a bad code and a used code with 400, creating no session', async () => {
    const bad = await startLogin();
    const res = await callback({ code: 'not-a-code', state: bad.state }, bad.cookie);
    expect(res.status).toBe(400);
    expect(cookieFrom(res, SESSION_COOKIE)).toBeUndefined();

    const code = await app.sim.issueOAuthCode('zhangsan');
    const first = await startLogin();
    expect((await callback({ code, state: first.state }, first.cookie)).status).toBe(302);
    const second = await startLogin();
    const replay = await callback({ code, state: second.state }, second.cookie);
    expect(replay.status).toBe(400);
    expect(cookieFrom(replay, SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a state it did not issue, one used before, or one from another browser with 400', async () => {
    const code = await app.sim.issueOAuthCode('zhangsan');
    const forged = await callback({ code, state: 'forgedState123' }, 'scrm.oauth=forgedState123');
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('登录失败');

    const { state, cookie } = await startLogin();
    expect((await callback({ code: await app.sim.issueOAuthCode('zhangsan'), state })).status).toBe(400);
    expect((await callback({ code: await app.sim.issueOAuthCode('zhangsan'), state }, cookie)).status).toBe(
      302,
    );
    const reused = await callback({ code: await app.sim.issueOAuthCode('zhangsan'), state }, cookie);
    expect(reused.status).toBe(400);

    expect((await callback({ code: 'x', state: 'bad-state!' }, 'scrm.oauth=bad-state!')).status).toBe(400);
    expect((await fetch(`${app.url}/auth/callback`, { redirect: 'manual' })).status).toBe(400);
  });

  it('refuses redirects that would leave the site', async () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      'evil',
    ]) {
      const res = await fetch(`${app.url}/auth/login?redirect=${encodeURIComponent(target)}`, {
        redirect: 'manual',
      });
      expect(res.status, target).toBe(400);
    }
  });

  it('logs out: the session is gone; a foreign Origin cannot log anyone out', async () => {
    const session = await loginAs(app, 'zhangsan');
    const foreign = await fetch(`${app.url}/auth/logout`, {
      method: 'POST',
      headers: asUser(session, 'https://evil.example'),
    });
    expect(foreign.status).toBe(403);
    expect((await me(session)).status).toBe(200);

    const out = await fetch(`${app.url}/auth/logout`, { method: 'POST', headers: asUser(session) });
    expect(out.status).toBe(204);
    expect((await me(session)).status).toBe(401);
  });

  it('answers 401 without a session or with a tampered cookie', async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const session = await loginAs(app, 'zhangsan');
    expect((await me(`${session.slice(0, -2)}xx`)).status).toBe(401);
  });
});

describe('https PUBLIC_URL', () => {
  it('marks the session cookie Secure', async () => {
    const secure = await startSimApp({
      config: { publicUrl: 'https://scrm.example.test', publicOrigin: 'https://scrm.example.test' },
    });
    try {
      await secure.sim.addStaff({ userid: 'zhangsan', name: '张三' });
      await secure.sim.setAutoLogin('zhangsan');
      // behind the TLS proxy: Express trusts X-Forwarded-Proto from loopback
      const proto = { 'x-forwarded-proto': 'https' };
      const start = await fetch(`${secure.url}/auth/login`, { redirect: 'manual', headers: proto });
      expect(start.headers.getSetCookie()[0]).toMatch(/; Secure/i);
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      expect(authorize.headers.get('location')).toMatch(/^https:\/\/scrm\.example\.test\/auth\/callback\?/);
      const back = await fetch(onApp(secure, authorize.headers.get('location')!), {
        redirect: 'manual',
        headers: { ...proto, cookie: cookieFrom(start, 'scrm.oauth')! },
      });
      expect(back.status).toBe(302);
      const header = back.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(header).toMatch(/; Secure/i);
      expect(header).toMatch(/; HttpOnly/i);
      expect(header).toMatch(/; SameSite=Lax/i);
    } finally {
      await secure.stop();
    }
  });
});

describe('Redis down', () => {
  it('answers 503 at once for a session lookup instead of hanging', async () => {
    const redis = await startLocalRedis({ logger: createLogger({ level: 'silent' }) });
    const own = await startTestApp({ config: { redisUrl: redis.url, roles: new Set(['api']) } });
    try {
      await redis.stop();
      const sid = 'abcdefghijklmnop';
      const mac = createHmac('sha256', own.config.sessionSecret)
        .update(sid)
        .digest('base64')
        .replace(/=+$/, '');
      const cookie = `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
      const started = Date.now();
      const res = await fetch(`${own.url}/api/me`, { headers: { cookie } });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await own.stop();
    }
  });
});
