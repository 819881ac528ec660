import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, loginUrl } from '../../sidebar/src/api/client.js';
import { describeError } from '../../sidebar/src/logic/errors.js';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(answer: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { calls, fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const me = { userid: 'zhangsan', name: '张三', role: 'staff' };

function client(answer: Parameters<typeof fakeFetch>[0], path = '/customer/wm1?tab=orders') {
  const f = fakeFetch(answer);
  const navigations: string[] = [];
  const api = createApiClient({
    fetch: f.fetch,
    currentPath: () => path,
    navigate: (url) => navigations.push(url),
  });
  return { api, calls: f.calls, navigations };
}

describe('the API client', () => {
  it('answers validated data and sends the same-origin cookie', async () => {
    const c = client(() => json(200, me));
    expect(await c.api.me()).toEqual(me);
    expect(c.calls[0]!.url).toBe('/api/me');
    expect(c.calls[0]!.init).toMatchObject({ method: 'GET', credentials: 'same-origin' });
  });

  it('sends mutations as JSON with credentials', async () => {
    const c = client(() => json(200, { userid: 'zhangsan', tags: [], added: ['t1'], removed: [] }));
    await c.api.editTags('wm/1', { add: ['t1'], remove: [] });
    expect(c.calls[0]!.url).toBe('/api/customers/wm%2F1/tags');
    expect(c.calls[0]!.init).toMatchObject({
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ add: ['t1'], remove: [] }),
    });
  });

  it('builds query strings without empty values', async () => {
    const c = client(() => json(200, { entries: [], nextCursor: null }));
    await c.api.timeline('wm1', { before: null, limit: 30 });
    await c.api.timeline('wm1', { before: 'abc==', limit: 30 });
    expect(c.calls.map((x) => x.url)).toEqual([
      '/api/customers/wm1/timeline?limit=30',
      '/api/customers/wm1/timeline?before=abc%3D%3D&limit=30',
    ]);
  });

  it('turns { error: { code, message } } into a typed ApiError', async () => {
    const c = client(() =>
      json(502, {
        error: {
          code: 'wecom_error',
          message: 'WeCom mark_tag failed: errcode 84061 not external contact',
          requestId: 'r1',
        },
      }),
    );
    const err = await c.api.editTags('wm1', { add: ['t1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'wecom_error', status: 502, requestId: 'r1' });
    expect(describeError(err)).toBe(
      '企业微信拒绝了操作：WeCom mark_tag failed: errcode 84061 not external contact',
    );
    expect(c.navigations).toEqual([]);
  });

  it('on 401 sends the browser through /auth/login with the current path and query, once', async () => {
    const c = client(() => json(401, { error: { code: 'unauthorized', message: 'login required' } }));
    await expect(c.api.customer('wm1')).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await expect(c.api.timeline('wm1')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(c.navigations).toEqual(['/auth/login?redirect=%2Fcustomer%2Fwm1%3Ftab%3Dorders']);
    expect(loginUrl('/tasks/12')).toBe('/auth/login?redirect=%2Ftasks%2F12');
  });

  it('rejects an answer that does not match the shared schema', async () => {
    const c = client(() => json(200, { userid: 'zhangsan' }));
    const err = await c.api.me().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_response', status: 200 });
    expect((err as Error).message).toContain('GET /api/me');
  });

  it('reports a network failure and a non-JSON error page readably', async () => {
    const down = client(() => {
      throw new TypeError('fetch failed');
    });
    await expect(down.api.me()).rejects.toMatchObject({ code: 'network', status: 0 });
    const proxy = client(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    const err = await proxy.api.me().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http_error', status: 502 });
    expect(describeError(err)).toBe('服务器出错了（502），请稍后重试');
  });

  it('takes a response prefetched for a GET path once, then asks the server', async () => {
    const f = fakeFetch(() => json(200, { ...me, name: '从服务器' }));
    const early: Record<string, Promise<Response> | undefined> = {
      '/api/me': Promise.resolve(json(200, me)),
    };
    const api = createApiClient({
      fetch: f.fetch,
      prefetched: (path) => {
        const res = early[path];
        delete early[path];
        return res;
      },
    });
    expect((await api.me()).name).toBe('张三');
    expect(f.calls).toEqual([]);
    expect((await api.me()).name).toBe('从服务器');
    expect(f.calls).toHaveLength(1);
  });

  it('covers the task endpoints', async () => {
    const task = {
      id: 7,
      ruleId: 1,
      ruleName: '优惠券到期提醒',
      trigger: 'coupon_expiry',
      externalUserid: 'wm1',
      customerName: '王小美',
      userid: 'zhangsan',
      staffName: '张三',
      variant: 0,
      message: 'hi',
      reason: null,
      deliveryMode: 'staff_task',
      status: 'skipped',
      overdue: false,
      dueAt: '2026-03-06T01:30:00Z',
      createdAt: '2026-03-06T01:00:00Z',
      notifiedAt: null,
      sentAt: null,
      skippedReason: '客户明确拒绝',
      failureReason: null,
      convertedAt: null,
      revenueFen: 0,
    };
    const c = client((url) =>
      url.startsWith('/api/tasks?')
        ? json(200, { tasks: [task], nextCursor: null, quietNow: false })
        : json(200, task),
    );
    expect((await c.api.tasks({ scope: 'mine', status: 'open', limit: 200 })).tasks).toHaveLength(1);
    expect((await c.api.skipTask(7, '客户明确拒绝')).status).toBe('skipped');
    expect(c.calls.map((x) => [x.init?.method, x.url, x.init?.body])).toEqual([
      ['GET', '/api/tasks?scope=mine&status=open&limit=200', undefined],
      ['POST', '/api/tasks/7/skip', JSON.stringify({ reason: '客户明确拒绝' })],
    ]);
  });
});
