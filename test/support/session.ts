import { SESSION_COOKIE } from '../../server/http/middleware/session.js';
import type { SimulatorClient } from '../../simulator/index.js';

/** What loginAs needs: the app's URL and its WeCom simulator (a SimApp fits). */
export interface LoginTarget {
  url: string;
  sim: SimulatorClient;
}

/** `name=value` of a Set-Cookie answer, or undefined. */
export function cookieFrom(res: Response, name: string): string | undefined {
  for (const header of res.headers.getSetCookie()) {
    const pair = header.split(';')[0]!;
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

/** The callback URL WeCom sends the browser to, rebased from PUBLIC_URL onto the app under test. */
export function onApp(app: LoginTarget, location: string): string {
  const u = new URL(location);
  return `${app.url}${u.pathname}${u.search}`;
}

/**
 * Logs `userid` in through the real OAuth round trip — /auth/login → the simulator's authorize
 * (auto-login) → /auth/callback — following each redirect by hand, and answers the session
 * cookie as a `Cookie` header value. The simulator should know the staff member (for their name).
 */
export async function loginAs(app: LoginTarget, userid: string, redirect = '/'): Promise<string> {
  await app.sim.setAutoLogin(userid);
  const start = await fetch(`${app.url}/auth/login?redirect=${encodeURIComponent(redirect)}`, {
    redirect: 'manual',
  });
  if (start.status !== 302) throw new Error(`/auth/login answered ${start.status}`);
  const stateCookie = cookieFrom(start, 'scrm.oauth');
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  if (authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}`);
  const callback = await fetch(onApp(app, authorize.headers.get('location')!), {
    redirect: 'manual',
    headers: stateCookie ? { cookie: stateCookie } : {},
  });
  const session = cookieFrom(callback, SESSION_COOKIE);
  if (callback.status !== 302 || !session) {
    throw new Error(`/auth/callback answered ${callback.status}: ${await callback.text()}`);
  }
  return session;
}

/** Headers for a cookie-authenticated call; mutations also carry the app's own Origin. */
export function asUser(cookie: string, origin = 'http://localhost:3000'): Record<string, string> {
  return { cookie, origin, 'content-type': 'application/json' };
}
