import { ErrCode, WeComError } from '../errors.js';
import { newId } from '../ids.js';

const TOKEN_TTL_S = 7200;
const OAUTH_CODE_TTL_MS = 5 * 60_000;
const WELCOME_CODE_TTL_MS = 20_000;

interface TokenEntry {
  expiresAtMs: number;
  revoked: boolean;
}

interface OAuthCode {
  userid: string;
  expiresAtMs: number;
  used: boolean;
}

export interface WelcomeCode {
  code: string;
  userid: string;
  external_userid: string;
  issuedAtMs: number;
  usedAtMs?: number;
}

/** Access tokens, tickets and the one-shot codes WeCom hands out (OAuth codes, welcome codes). */
export class CredentialStore {
  private readonly tokens = new Map<string, TokenEntry>();
  private current: string | undefined;
  private readonly oauthCodes = new Map<string, OAuthCode>();
  readonly welcomeCodes = new Map<string, WelcomeCode>();
  jsapiTicket = newId.ticket();
  agentTicket = newId.ticket();

  clear(): void {
    this.tokens.clear();
    this.current = undefined;
    this.oauthCodes.clear();
    this.welcomeCodes.clear();
    this.jsapiTicket = newId.ticket();
    this.agentTicket = newId.ticket();
  }

  /** Like WeCom, a still-valid token is handed out again rather than replaced. */
  issueToken(nowMs: number): { token: string; expiresIn: number } {
    const live = this.current === undefined ? undefined : this.tokens.get(this.current);
    if (this.current !== undefined && live && !live.revoked && live.expiresAtMs > nowMs) {
      live.expiresAtMs = nowMs + TOKEN_TTL_S * 1000;
      return { token: this.current, expiresIn: TOKEN_TTL_S };
    }
    const token = newId.accessToken();
    this.tokens.set(token, { expiresAtMs: nowMs + TOKEN_TTL_S * 1000, revoked: false });
    this.current = token;
    return { token, expiresIn: TOKEN_TTL_S };
  }

  checkToken(token: string | undefined, nowMs: number): void {
    if (token === undefined || token === '') throw new WeComError(ErrCode.missingToken);
    const entry = this.tokens.get(token);
    if (!entry) throw new WeComError(ErrCode.invalidToken);
    if (entry.revoked || entry.expiresAtMs <= nowMs) throw new WeComError(ErrCode.tokenExpired);
  }

  expireAllTokens(): number {
    let n = 0;
    for (const entry of this.tokens.values()) {
      if (!entry.revoked) n++;
      entry.revoked = true;
    }
    this.current = undefined;
    return n;
  }

  issueOAuthCode(userid: string, nowMs: number): string {
    const code = newId.oauthCode();
    this.oauthCodes.set(code, { userid, expiresAtMs: nowMs + OAUTH_CODE_TTL_MS, used: false });
    return code;
  }

  consumeOAuthCode(code: string | undefined, nowMs: number): string {
    const entry = code === undefined ? undefined : this.oauthCodes.get(code);
    if (!entry || entry.used || entry.expiresAtMs <= nowMs) throw new WeComError(ErrCode.invalidOAuthCode);
    entry.used = true;
    return entry.userid;
  }

  issueWelcomeCode(userid: string, externalUserId: string, nowMs: number): WelcomeCode {
    const welcome: WelcomeCode = {
      code: newId.welcomeCode(),
      userid,
      external_userid: externalUserId,
      issuedAtMs: nowMs,
    };
    this.welcomeCodes.set(welcome.code, welcome);
    return welcome;
  }

  consumeWelcomeCode(code: string, nowMs: number): WelcomeCode {
    const welcome = this.welcomeCodes.get(code);
    if (!welcome || nowMs - welcome.issuedAtMs > WELCOME_CODE_TTL_MS) {
      throw new WeComError(ErrCode.invalidWelcomeCode);
    }
    if (welcome.usedAtMs !== undefined) throw new WeComError(ErrCode.externalUserStartedChatting);
    welcome.usedAtMs = nowMs;
    return welcome;
  }
}
