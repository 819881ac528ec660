import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/api.js';
import type { Db } from '../../db/database.js';
import { AppError, forbidden } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import type { OAuthStates } from '../../infra/oauth-states.js';
import type { WeComClient } from '../../wecom/client.js';
import { WeComApiError, WeComErrcode, WeComNotStaffError } from '../../wecom/errors.js';
import { asWeComFailure } from '../sidebar/wecom-failure.js';

export interface LoggedInStaff {
  userid: string;
  name: string;
  role: Role;
}

export interface StaffLoginConfig {
  corpId: string;
  agentId: number;
  /** read per login: demo mode points it at the simulator after start-up */
  oauthBase: () => string;
  publicUrl: string;
  publicOrigin: string;
  supervisorUserids: readonly string[];
  adminUserids: readonly string[];
}

interface Deps {
  db: Db;
  wecom: Pick<WeComClient, 'getUserInfoByCode' | 'getUser'>;
  states: OAuthStates;
  clock: Clock;
  logger: Logger;
  config: StaffLoginConfig;
}

const STATE_PATTERN = /^[A-Za-z0-9]{1,128}$/;

/**
 * A path on our own origin to return to after login, or undefined for anything that would leave
 * it (`//evil.example`, `/\evil.example`, `https://evil.example/`, `javascript:`…).
 */
export function sameOriginPath(value: string, publicOrigin: string): string | undefined {
  // backslashes and control characters: browsers read `/\evil` as `//evil`
  if (!value.startsWith('/') || [...value].some((c) => c === '\\' || c.charCodeAt(0) < 0x20))
    return undefined;
  let url: URL;
  try {
    url = new URL(value, publicOrigin);
  } catch {
    return undefined;
  }
  if (url.origin !== publicOrigin) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function roleOf(
  userid: string,
  config: Pick<StaffLoginConfig, 'adminUserids' | 'supervisorUserids'>,
): Role {
  if (config.adminUserids.includes(userid)) return 'admin';
  if (config.supervisorUserids.includes(userid)) return 'supervisor';
  return 'staff';
}

/** Staff login through WeCom OAuth (`snsapi_base`): the state round trip, code exchange and role. */
export class StaffLogin {
  constructor(private readonly deps: Deps) {}

  /** Starts a login: remembers a fresh state with the return path and answers WeCom's authorize URL. */
  async begin(redirect: string | undefined): Promise<{ url: string; state: string }> {
    const { config, states } = this.deps;
    const path =
      redirect === undefined || redirect === '' ? '/' : sameOriginPath(redirect, config.publicOrigin);
    if (path === undefined) throw new AppError('bad_request', 'redirect must be a path on this site');
    const state = randomBytes(24).toString('hex');
    await states.put(state, path);
    const query = new URLSearchParams({
      appid: config.corpId,
      redirect_uri: `${config.publicUrl}/auth/callback`,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
      agentid: String(config.agentId),
    });
    return { url: `${config.oauthBase()}/connect/oauth2/authorize?${query}#wechat_redirect`, state };
  }

  /** Finishes a login: the state must be one we issued and not yet used; the code must be WeCom's. */
  async complete(code: string, state: string): Promise<{ user: LoggedInStaff; redirect: string }> {
    const { states, wecom, config } = this.deps;
    if (!STATE_PATTERN.test(state)) throw new AppError('bad_request', 'invalid login state');
    const redirect = await states.take(state);
    if (redirect === undefined)
      throw new AppError('bad_request', 'login link expired or already used; try again');
    let userid: string;
    try {
      ({ userid } = await wecom.getUserInfoByCode(code));
    } catch (err) {
      if (err instanceof WeComNotStaffError) throw forbidden('only members of this company can sign in');
      if (err instanceof WeComApiError && err.errcode === WeComErrcode.invalidOAuthCode) {
        throw new AppError('bad_request', 'the login code is invalid or was already used; try again');
      }
      throw asWeComFailure(err);
    }
    const name = await this.#staffName(userid);
    return { user: { userid, name, role: roleOf(userid, config) }, redirect };
  }

  /** The member's name from WeCom, cached in `staff`; a failed lookup falls back to the cache. */
  async #staffName(userid: string): Promise<string> {
    const { db, wecom, clock, logger } = this.deps;
    try {
      const user = await wecom.getUser(userid);
      const name = user.name ?? '';
      await db
        .insertInto('staff')
        .values({ userid, name })
        .onConflict((oc) => oc.column('userid').doUpdateSet({ name, updated_at: clock.now() }))
        .execute();
      return name || userid;
    } catch (err) {
      logger.warn({ err, userid }, 'user/get failed at login; using the cached name');
      const row = await db.selectFrom('staff').select('name').where('userid', '=', userid).executeTakeFirst();
      return row?.name || userid;
    }
  }
}
