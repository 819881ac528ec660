/** WeCom errcodes the client treats specially. Everything else positive is permanent (see below). */
export const WeComErrcode = {
  busy: -1,
  invalidSecret: 40001,
  invalidUserId: 40003,
  invalidCorpId: 40013,
  invalidToken: 40014,
  invalidOAuthCode: 40029,
  invalidUserList: 40031,
  invalidTagId: 40068,
  invalidExternalUserId: 40096,
  invalidWelcomeCode: 40097,
  externalUserStartedChatting: 41051,
  massSendDispatching: 41063,
  tokenExpired: 42001,
  freqLimit: 45009,
  apiMinuteLimit: 45011,
  concurrencyLimit: 45033,
  noPermission: 48002,
  redirectDomainNotTrusted: 50001,
  outsideVisibleRange: 60011,
  ipNotTrusted: 60020,
  allRecipientsInvalid: 81013,
  noRelation: 84061,
} as const;

/** The access token was rejected: refresh it and retry once. */
const TOKEN_ERRCODES: ReadonlySet<number> = new Set([WeComErrcode.invalidToken, WeComErrcode.tokenExpired]);

/** WeCom's quotas: back off and try again later. */
const FREQUENCY_ERRCODES: ReadonlySet<number> = new Set([
  WeComErrcode.freqLimit,
  WeComErrcode.apiMinuteLimit,
  WeComErrcode.concurrencyLimit,
]);

/** Transient states that are neither quotas nor token problems. */
const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([
  WeComErrcode.busy,
  WeComErrcode.massSendDispatching,
]);

export type WeComErrorClass = 'token' | 'frequency' | 'busy' | 'transient' | 'permanent';

/**
 * How a retry can help. WeCom's positive errcodes are almost all about the request itself (bad
 * parameters, ids, permissions, trusted IPs, used codes): a retry cannot fix them, so any errcode
 * not known to be transient counts as permanent and the job fails at once instead of hammering.
 */
export function classifyErrcode(errcode: number): WeComErrorClass {
  if (TOKEN_ERRCODES.has(errcode)) return 'token';
  if (FREQUENCY_ERRCODES.has(errcode)) return 'frequency';
  if (errcode === WeComErrcode.busy) return 'busy';
  if (TRANSIENT_ERRCODES.has(errcode) || errcode < 0) return 'transient';
  return 'permanent';
}

export interface WeComApiErrorInit {
  /** the API path, e.g. `externalcontact/get` (never a URL with its query) */
  api: string;
  errcode: number;
  errmsg: string;
  /** overrides the errcode's classification */
  permanent?: boolean;
  message?: string;
}

/** A WeCom answer with a non-zero errcode. Carries no token, secret or query string. */
export class WeComApiError extends Error {
  override name = 'WeComApiError';
  readonly api: string;
  readonly errcode: number;
  readonly errmsg: string;
  /** a retry cannot fix it: the worker turns it into BullMQ's UnrecoverableError */
  readonly permanent: boolean;
  /** 45009, 45011, 45033: WeCom's quota; retry after the window */
  readonly frequencyLimited: boolean;
  /** −1: WeCom is busy; retry shortly */
  readonly busy: boolean;
  /** 40014, 42001: the access token was rejected */
  readonly tokenRejected: boolean;

  constructor(init: WeComApiErrorInit) {
    super(init.message ?? `WeCom ${init.api} failed: errcode ${init.errcode} ${init.errmsg}`);
    const kind = classifyErrcode(init.errcode);
    this.api = init.api;
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.permanent = init.permanent ?? kind === 'permanent';
    this.frequencyLimited = kind === 'frequency';
    this.busy = kind === 'busy';
    this.tokenRejected = kind === 'token';
  }

  /** What may be logged or stored: no credentials ever reach an error. */
  toJSON() {
    return {
      name: this.name,
      message: this.message,
      api: this.api,
      errcode: this.errcode,
      errmsg: this.errmsg,
      permanent: this.permanent,
    };
  }
}

/** `auth/getuserinfo` answered with an `openid` only: the visitor is not a member of the corp. */
export class WeComNotStaffError extends WeComApiError {
  override name = 'WeComNotStaffError';
  constructor(api: string) {
    super({
      api,
      errcode: 0,
      errmsg: 'not a member of this corp',
      permanent: true,
      message: 'WeCom OAuth: the visitor is not a member of this corp (WeCom returned an openid, no userid)',
    });
  }
}

/** Timeouts, refused connections, non-JSON or non-200 answers: retryable, never permanent. */
export class WeComTransportError extends Error {
  override name = 'WeComTransportError';
  readonly permanent = false;
  constructor(
    readonly api: string,
    message: string,
    readonly details: { timedOut?: boolean; status?: number; code?: string } = {},
  ) {
    super(`WeCom ${api}: ${message}`);
  }

  get timedOut(): boolean {
    return this.details.timedOut === true;
  }
}

/** Our own limiter could not get a slot within its bound: retry the job later. */
export class WeComRateLimitError extends Error {
  override name = 'WeComRateLimitError';
  readonly permanent = false;
  readonly frequencyLimited = true;
  constructor(
    readonly bucket: string,
    readonly waitedMs: number,
  ) {
    super(`WeCom rate limit ${bucket}: no slot after waiting ${waitedMs} ms`);
  }
}

export function isWeComApiError(err: unknown, errcode?: number): err is WeComApiError {
  return err instanceof WeComApiError && (errcode === undefined || err.errcode === errcode);
}
