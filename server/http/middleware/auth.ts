import type { RequestHandler } from 'express';
import type {} from 'express-session';
import type { Role } from '../../../shared/api.js';

export interface SessionUser {
  userid: string;
  name: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `requireSession` from the signed session cookie. */
    user?: SessionUser;
  }
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
  }
}

/** 401 unless the request carries a logged-in session; sets `req.user`. */
export const requireSession: RequestHandler = (req, res, next) => {
  const user = req.session?.user;
  if (!user) {
    res.status(401).json({ error: { code: 'unauthorized', message: 'login required' } });
    return;
  }
  req.user = user;
  next();
};

/** 403 unless the session's role is one of `roles`; mount after `requireSession`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const role = req.user?.role ?? req.session?.user?.role;
    if (!role || !roles.includes(role)) {
      res.status(403).json({ error: { code: 'forbidden', message: `requires role ${roles.join(' or ')}` } });
      return;
    }
    next();
  };
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function originOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * CSRF defence for cookie-authenticated mutations: the browser's `Origin` (or, when a client
 * omits it, the `Referer`) must be PUBLIC_URL's origin. SameSite=Lax alone leaves same-site
 * subdomains and older clients open.
 */
export function sameOriginForMutations(publicOrigin: string): RequestHandler {
  return (req, res, next) => {
    if (!MUTATIONS.has(req.method)) return next();
    const origin = req.get('origin');
    const seen = origin !== undefined ? originOf(origin) : originOf(req.get('referer'));
    if (seen !== publicOrigin) {
      res.status(403).json({ error: { code: 'forbidden', message: 'cross-origin request refused' } });
      return;
    }
    next();
  };
}
