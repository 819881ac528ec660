import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Me } from '../../../shared/api.js';
import type { AppContext } from '../../context.js';
import { AppError, ERROR_STATUS } from '../../errors.js';
import type { Services } from '../../services/container.js';
import { requireSession, sameOriginForMutations } from '../middleware/auth.js';
import { SESSION_COOKIE } from '../middleware/session.js';

/** Binds a login's state to the browser that started it, against login CSRF. */
const STATE_COOKIE = 'scrm.oauth';

const loginQuery = z.object({ redirect: z.string().max(2048).optional() });
const callbackQuery = z.object({ code: z.string().min(1).max(512), state: z.string().min(1).max(256) });

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorPage(res: Response, status: number, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>登录失败</title></head><body style="font-family:system-ui,sans-serif;max-width:420px;margin:2em auto;padding:0 1em"><h3>登录失败</h3><p>${escapeHtml(message)}</p><p><a href="/auth/login">重新登录</a></p></body></html>`,
    );
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const regenerate = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
const save = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
const destroy = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));

/** `/auth/login`, `/auth/callback`, `/auth/logout` and `GET /api/me`; mount after the session middleware. */
export function authRoutes(ctx: AppContext, services: Services): Router {
  const router = express.Router();
  const secure = ctx.config.publicUrl.startsWith('https:');
  const stateCookie = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/auth/callback' };

  router.get('/auth/login', async (req, res) => {
    const { redirect } = loginQuery.parse(req.query);
    const { url, state } = await services.staffLogin.begin(redirect);
    res.cookie(STATE_COOKIE, state, { ...stateCookie, maxAge: 600_000 });
    res.redirect(302, url);
  });

  router.get('/auth/callback', async (req, res) => {
    const parsed = callbackQuery.safeParse(req.query);
    if (!parsed.success) return errorPage(res, 400, '缺少 code 或 state 参数');
    const { code, state } = parsed.data;
    res.clearCookie(STATE_COOKIE, stateCookie);
    if (readCookie(req, STATE_COOKIE) !== state) {
      return errorPage(res, 400, '登录链接已失效或不是从本浏览器发起的，请重新登录');
    }
    let result: Awaited<ReturnType<typeof services.staffLogin.complete>>;
    try {
      result = await services.staffLogin.complete(code, state);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'unavailable') {
        return errorPage(res, ERROR_STATUS[err.code], err.message);
      }
      throw err;
    }
    // a fresh session id at login, so an id planted before login is worthless afterwards
    await regenerate(req);
    req.session.user = result.user;
    await save(req);
    res.redirect(302, result.redirect);
  });

  router.post('/auth/logout', sameOriginForMutations(ctx.config.publicOrigin), async (req, res) => {
    if (req.session) await destroy(req);
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    res.status(204).end();
  });

  router.get('/api/me', requireSession, (req, res) => {
    const { userid, name, role } = req.user!;
    res.json({ userid, name, role } satisfies Me);
  });

  return router;
}
