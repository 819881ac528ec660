import express, { type Response, type Router } from 'express';
import type { SimulatorState } from '../state.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:420px;margin:2em auto;padding:0 1em}a.staff{display:block;padding:.8em 1em;margin:.5em 0;border:1px solid #ddd;border-radius:6px;text-decoration:none;color:#222}a.staff small{color:#888;margin-left:.5em}</style></head><body>${body}</body></html>`;
}

function redirectWithCode(redirectUri: string, code: string, state: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  return url.toString();
}

function parseRedirectUri(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function fail(res: Response, message: string): void {
  res
    .status(400)
    .type('html')
    .send(page('出错了', `<h3>出错了</h3><p>${escapeHtml(message)}</p>`));
}

/** open.weixin.qq.com's OAuth authorize page, as a member picker (or straight through with auto-login). */
export function oauthRouter(state: SimulatorState): Router {
  const router = express.Router();

  router.get('/authorize', (req, res) => {
    const { appid, scope, agentid } = req.query;
    const stateParam = typeof req.query.state === 'string' ? req.query.state : '';
    const redirectUri = parseRedirectUri(req.query.redirect_uri);
    if (appid !== state.config.corpId) return fail(res, `appid 参数错误 (errcode 40013)`);
    if (!redirectUri) return fail(res, 'redirect_uri 参数错误');
    if (req.query.response_type !== 'code') return fail(res, 'response_type 必须为 code');
    if (scope !== undefined && scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo') {
      return fail(res, 'scope 参数错误');
    }
    if (agentid !== undefined && agentid !== String(state.config.agentId))
      return fail(res, 'agentid 参数错误');

    const auto = state.autoLoginUserid;
    if (auto !== undefined) {
      const code = state.credentials.issueOAuthCode(auto, state.clock.nowMs());
      return res.redirect(302, redirectWithCode(redirectUri, code, stateParam));
    }
    const links = [...state.contacts.staff.values()]
      .map((s) => {
        const href = `login?${new URLSearchParams({ userid: s.userid, redirect_uri: redirectUri, state: stateParam })}`;
        return `<a class="staff" href="${escapeHtml(href)}">${escapeHtml(s.name)}<small>${escapeHtml(s.userid)}</small></a>`;
      })
      .join('');
    res
      .type('html')
      .send(
        page('选择登录成员', `<h3>选择登录成员</h3>${links || '<p>还没有成员，请先通过控制接口创建。</p>'}`),
      );
  });

  router.get('/login', (req, res) => {
    const userid = typeof req.query.userid === 'string' ? req.query.userid : '';
    const redirectUri = parseRedirectUri(req.query.redirect_uri);
    const stateParam = typeof req.query.state === 'string' ? req.query.state : '';
    if (!state.contacts.staff.has(userid)) return fail(res, '成员不存在');
    if (!redirectUri) return fail(res, 'redirect_uri 参数错误');
    const code = state.credentials.issueOAuthCode(userid, state.clock.nowMs());
    res.redirect(302, redirectWithCode(redirectUri, code, stateParam));
  });

  return router;
}
