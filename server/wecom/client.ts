import type { Redis } from 'ioredis';
import { Agent, type Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import type { Logger } from '../infra/logger.js';
import { CoarseDeadlines } from './deadlines.js';
import { WeComApiError, WeComNotStaffError, WeComTransportError } from './errors.js';
import {
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  type RateRule,
  rateRules,
  type WeComRateLimits,
} from './rate-limit.js';
import { type FetchedCredential, secretDigest, TokenCache } from './token-cache.js';
import type {
  AccessTokenResponse,
  AddContactWayResponse,
  AddCorpTagResponse,
  AddMsgTemplateResponse,
  AppMessageBody,
  AppMessageResult,
  BatchGetByUserResponse,
  ContactWayInput,
  ContactWayUpdate,
  CorpTagListResponse,
  FollowUserListResponse,
  GetContactWayResponse,
  GetExternalContactResponse,
  GroupChatGetResponse,
  GroupChatListResponse,
  GroupMsgSendResultResponse,
  GroupMsgTaskResponse,
  ListExternalContactsResponse,
  RobotMessage,
  SendAppMessageResponse,
  TicketResponse,
  UserBehaviorDataResponse,
  UserInfoByCodeResponse,
  UserResponse,
  WeComAttachment,
  WeComResponse,
} from './types.js';

export interface WeComRetryOptions {
  /** retries within one call for −1 (busy) and 45009/45011/45033 (frequency); default 3 */
  maxRetries?: number;
  /** first backoff (ms), doubled each retry, with jitter; default 1000 */
  baseDelayMs?: number;
  /** cap of one backoff (ms); default 8000 */
  maxDelayMs?: number;
}

export interface WeComClientOptions {
  /** `https://qyapi.weixin.qq.com` or the simulator; a function is read on every call */
  apiBase: string | (() => string);
  corpId: string;
  secret: string;
  agentId: number;
  redis: Redis;
  logger: Logger;
  /** Redis key namespace (the queue prefix), so tests and deployments stay apart */
  keyPrefix: string;
  /** per HTTP request; default 10 s */
  timeoutMs?: number;
  /** backoff and rate-limit waits; injectable for tests */
  sleep?: (ms: number) => Promise<void>;
  /** epoch ms for the rate limiter; Date.now by default */
  now?: () => number;
  /** jitter source in [0, 1) */
  random?: () => number;
  retry?: WeComRetryOptions;
  rateLimits?: Partial<WeComRateLimits>;
  /** longest wait for a rate-limit slot before WeComRateLimitError; default 125 s */
  maxRateWaitMs?: number;
}

type Query = Record<string, string | number | undefined>;

interface CallOptions {
  method?: 'GET' | 'POST';
  query?: Query;
  body?: unknown;
  /** false: no access_token (gettoken, webhook/send) */
  auth?: boolean;
  /** replaces the default per-API rate rules */
  rules?: RateRule[];
  /** overrides retry.maxRetries for frequency/busy errcodes */
  maxRetries?: number;
}

/**
 * The HTTP client: undici's keep-alive pools. A deployment that reaches WeCom through a proxy (a
 * fixed outbound IP for WeCom's trusted-IP list) sets HTTPS_PROXY / HTTP_PROXY (and NO_PROXY).
 */
function dispatcherFor(timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const options = { connect: { timeout: timeoutMs } };
  const proxied = ['http_proxy', 'https_proxy'].some((name) => env[name] || env[name.toUpperCase()]);
  return proxied ? new EnvHttpProxyAgent(options) : new Agent(options);
}

const GET_HEADERS = { accept: 'application/json' };
const POST_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function unixSeconds(t: number | Date): number {
  return t instanceof Date ? Math.floor(t.getTime() / 1000) : t;
}

function splitUsers(list: string | undefined): string[] {
  return (list ?? '').split('|').filter((u) => u !== '');
}

function isEnvelope(value: unknown): value is WeComResponse & Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { errcode?: unknown }).errcode === 'number'
  );
}

/**
 * WeCom's server API (qyapi). Every call has a timeout and goes through a Redis rate limiter
 * shared by all processes; a non-zero errcode throws WeComApiError (`permanent` when a retry
 * cannot help). A rejected token (40014/42001) is refreshed once and the call retried once;
 * busy/frequency errcodes are retried with exponential backoff, then thrown as retryable.
 * Tokens, secrets, tickets and robot keys are never logged: log lines carry the API path and
 * errcode only.
 */
export class WeComClient {
  readonly corpId: string;
  readonly agentId: number;
  readonly #secret: string;
  readonly #apiBase: () => string;
  readonly #http: Dispatcher;
  readonly #log: Logger;
  readonly #tokens: TokenCache;
  readonly #limiter: RateLimiter;
  readonly #limits: WeComRateLimits;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #deadlines = new CoarseDeadlines();
  readonly #retry: Required<WeComRetryOptions>;
  readonly #slots: { accessToken: string; jsapiTicket: string; agentTicket: string };

  constructor(options: WeComClientOptions) {
    this.corpId = options.corpId;
    this.agentId = options.agentId;
    this.#secret = options.secret;
    const base = options.apiBase;
    this.#apiBase =
      typeof base === 'function' ? () => base().replace(/\/+$/, '') : () => base.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#http = dispatcherFor(this.#timeoutMs);
    this.#log = options.logger.child({ component: 'wecom' });
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#retry = {
      maxRetries: options.retry?.maxRetries ?? 3,
      baseDelayMs: options.retry?.baseDelayMs ?? 1000,
      maxDelayMs: options.retry?.maxDelayMs ?? 8000,
    };
    this.#limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
    this.#tokens = new TokenCache({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      lockTtlMs: this.#timeoutMs * 2 + 5_000,
    });
    this.#limiter = new RateLimiter({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      scope: options.corpId,
      sleep: this.#sleep,
      random: this.#random,
      ...(options.now ? { now: options.now } : {}),
      ...(options.maxRateWaitMs !== undefined ? { maxWaitMs: options.maxRateWaitMs } : {}),
    });
    const digest = secretDigest(options.secret);
    this.#slots = {
      accessToken: `access_token:${options.corpId}:${digest}`,
      jsapiTicket: `jsapi_ticket:${options.corpId}:${digest}`,
      agentTicket: `agent_ticket:${options.corpId}:${options.agentId}:${digest}`,
    };
  }

  /** Closes the kept-alive connections (at shutdown). */
  close(): Promise<void> {
    return this.#http.close();
  }

  // ---- credentials ----------------------------------------------------------------------------

  /** The shared access token, fetched by exactly one caller across processes when missing. */
  getAccessToken(): Promise<string> {
    return this.#tokens.get(this.#slots.accessToken, async () => {
      const answer = await this.#send<AccessTokenResponse>('gettoken', {
        method: 'GET',
        query: { corpid: this.corpId, corpsecret: this.#secret },
        auth: false,
      });
      return credential('gettoken', answer.access_token, answer.expires_in);
    });
  }

  /** Forgets the cached access token if it is still `stale` (after WeCom rejected it). */
  invalidateAccessToken(stale: string): Promise<boolean> {
    return this.#tokens.invalidate(this.#slots.accessToken, stale);
  }

  /** The corp jsapi_ticket for `ww.config` / `getConfigSignature` (cached, 400/h per corp). */
  getJsapiTicket(): Promise<string> {
    return this.#tokens.get(this.#slots.jsapiTicket, async () => {
      const answer = await this.#call<TicketResponse>('get_jsapi_ticket', { method: 'GET' });
      return credential('get_jsapi_ticket', answer.ticket, answer.expires_in);
    });
  }

  /** The app ticket for `agentConfig` / `getAgentConfigSignature` (cached, 100/h per app). */
  getAgentTicket(): Promise<string> {
    return this.#tokens.get(this.#slots.agentTicket, async () => {
      const answer = await this.#call<TicketResponse>('ticket/get', {
        method: 'GET',
        query: { type: 'agent_config' },
      });
      return credential('ticket/get', answer.ticket, answer.expires_in);
    });
  }

  invalidateJsapiTicket(stale: string): Promise<boolean> {
    return this.#tokens.invalidate(this.#slots.jsapiTicket, stale);
  }

  invalidateAgentTicket(stale: string): Promise<boolean> {
    return this.#tokens.invalidate(this.#slots.agentTicket, stale);
  }

  // ---- customers ------------------------------------------------------------------------------

  getExternalContact(externalUserid: string, cursor?: string): Promise<GetExternalContactResponse> {
    return this.#call('externalcontact/get', {
      method: 'GET',
      query: { external_userid: externalUserid, cursor },
    });
  }

  /** One page of customers followed by up to 100 staff members (limit ≤ 100). */
  batchGetByUser(input: {
    useridList: string[];
    cursor?: string;
    limit?: number;
  }): Promise<BatchGetByUserResponse> {
    return this.#call('externalcontact/batch/get_by_user', {
      body: { userid_list: input.useridList, cursor: input.cursor ?? '', limit: input.limit ?? 100 },
    });
  }

  listExternalContacts(userid: string): Promise<ListExternalContactsResponse> {
    return this.#call('externalcontact/list', { method: 'GET', query: { userid } });
  }

  /** Staff members with the customer-contact permission. */
  getFollowUserList(): Promise<FollowUserListResponse> {
    return this.#call('externalcontact/get_follow_user_list', { method: 'GET' });
  }

  remark(input: {
    userid: string;
    externalUserid: string;
    remark?: string;
    description?: string;
    remarkCompany?: string;
    remarkMobiles?: string[];
    remarkPicMediaid?: string;
  }): Promise<WeComResponse> {
    return this.#call('externalcontact/remark', {
      body: {
        userid: input.userid,
        external_userid: input.externalUserid,
        remark: input.remark,
        description: input.description,
        remark_company: input.remarkCompany,
        remark_mobiles: input.remarkMobiles,
        remark_pic_mediaid: input.remarkPicMediaid,
      },
    });
  }

  // ---- tags -----------------------------------------------------------------------------------

  getCorpTagList(input: { tagIds?: string[]; groupIds?: string[] } = {}): Promise<CorpTagListResponse> {
    return this.#call('externalcontact/get_corp_tag_list', {
      body: { tag_id: input.tagIds, group_id: input.groupIds },
    });
  }

  addCorpTag(input: {
    groupId?: string;
    groupName?: string;
    order?: number;
    tags: Array<{ name: string; order?: number }>;
  }): Promise<AddCorpTagResponse> {
    return this.#call('externalcontact/add_corp_tag', {
      body: { group_id: input.groupId, group_name: input.groupName, order: input.order, tag: input.tags },
    });
  }

  editCorpTag(input: { id: string; name?: string; order?: number }): Promise<WeComResponse> {
    return this.#call('externalcontact/edit_corp_tag', { body: input });
  }

  delCorpTag(input: { tagIds?: string[]; groupIds?: string[] }): Promise<WeComResponse> {
    return this.#call('externalcontact/del_corp_tag', {
      body: { tag_id: input.tagIds, group_id: input.groupIds },
    });
  }

  markTag(input: {
    userid: string;
    externalUserid: string;
    addTag?: string[];
    removeTag?: string[];
  }): Promise<WeComResponse> {
    return this.#call('externalcontact/mark_tag', {
      body: {
        userid: input.userid,
        external_userid: input.externalUserid,
        add_tag: input.addTag ?? [],
        remove_tag: input.removeTag ?? [],
      },
    });
  }

  // ---- customer messages ----------------------------------------------------------------------

  /** Within 20 s of add_external_contact, once per welcome code (41051/40097 are permanent). */
  sendWelcomeMsg(input: {
    welcomeCode: string;
    text?: string;
    attachments?: WeComAttachment[];
  }): Promise<WeComResponse> {
    return this.#call('externalcontact/send_welcome_msg', {
      body: {
        welcome_code: input.welcomeCode,
        ...(input.text !== undefined ? { text: { content: input.text } } : {}),
        ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      },
    });
  }

  /**
   * Creates a mass-send task the sender confirms in WeCom. Every call creates a new msgid: the
   * caller guards against double submission.
   */
  addMsgTemplate(input: {
    chatType?: 'single' | 'group';
    externalUserids?: string[];
    chatIds?: string[];
    sender?: string;
    text?: string;
    attachments?: WeComAttachment[];
  }): Promise<AddMsgTemplateResponse> {
    return this.#call<AddMsgTemplateResponse>('externalcontact/add_msg_template', {
      body: {
        chat_type: input.chatType ?? 'single',
        external_userid: input.externalUserids,
        chat_id_list: input.chatIds,
        sender: input.sender,
        ...(input.text !== undefined ? { text: { content: input.text } } : {}),
        ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      },
    }).then((answer) => ({ ...answer, fail_list: answer.fail_list ?? [] }));
  }

  getGroupMsgTask(input: { msgid: string; limit?: number; cursor?: string }): Promise<GroupMsgTaskResponse> {
    return this.#call('externalcontact/get_groupmsg_task', {
      body: { msgid: input.msgid, limit: input.limit ?? 1000, cursor: input.cursor },
    });
  }

  getGroupMsgSendResult(input: {
    msgid: string;
    userid: string;
    limit?: number;
    cursor?: string;
  }): Promise<GroupMsgSendResultResponse> {
    return this.#call('externalcontact/get_groupmsg_send_result', {
      body: { msgid: input.msgid, userid: input.userid, limit: input.limit ?? 1000, cursor: input.cursor },
    });
  }

  /** At most 3 per msgid per 24 h: a frequency answer is thrown at once, not retried in the call. */
  remindGroupMsgSend(msgid: string): Promise<WeComResponse> {
    return this.#call('externalcontact/remind_groupmsg_send', { body: { msgid }, maxRetries: 0 });
  }

  cancelGroupMsgSend(msgid: string): Promise<WeComResponse> {
    return this.#call('externalcontact/cancel_groupmsg_send', { body: { msgid } });
  }

  // ---- customer groups ------------------------------------------------------------------------

  groupChatList(input: {
    statusFilter?: 0 | 1 | 2 | 3;
    ownerUserids?: string[];
    cursor?: string;
    limit: number;
  }): Promise<GroupChatListResponse> {
    return this.#call('externalcontact/groupchat/list', {
      body: {
        status_filter: input.statusFilter ?? 0,
        ...(input.ownerUserids ? { owner_filter: { userid_list: input.ownerUserids } } : {}),
        cursor: input.cursor,
        limit: input.limit,
      },
    });
  }

  /** With member names (`need_name: 1`). */
  groupChatGet(chatId: string): Promise<GroupChatGetResponse> {
    return this.#call('externalcontact/groupchat/get', { body: { chat_id: chatId, need_name: 1 } });
  }

  // ---- statistics -----------------------------------------------------------------------------

  /** Per-day contact statistics; the range may not exceed 30 days. Times in unix seconds or Dates. */
  getUserBehaviorData(input: {
    userids?: string[];
    partyids?: number[];
    startTime: number | Date;
    endTime: number | Date;
  }): Promise<UserBehaviorDataResponse> {
    return this.#call('externalcontact/get_user_behavior_data', {
      body: {
        userid: input.userids,
        partyid: input.partyids,
        start_time: unixSeconds(input.startTime),
        end_time: unixSeconds(input.endTime),
      },
    });
  }

  // ---- contact ways (channel QR codes) --------------------------------------------------------

  addContactWay(input: ContactWayInput): Promise<AddContactWayResponse> {
    return this.#call('externalcontact/add_contact_way', {
      body: { type: input.type, scene: input.scene, ...contactWayFields(input), is_temp: input.isTemp },
    });
  }

  updateContactWay(configId: string, input: ContactWayUpdate): Promise<WeComResponse> {
    return this.#call('externalcontact/update_contact_way', {
      body: { config_id: configId, ...contactWayFields(input) },
    });
  }

  getContactWay(configId: string): Promise<GetContactWayResponse> {
    return this.#call('externalcontact/get_contact_way', { body: { config_id: configId } });
  }

  delContactWay(configId: string): Promise<WeComResponse> {
    return this.#call('externalcontact/del_contact_way', { body: { config_id: configId } });
  }

  // ---- app messages and robots ----------------------------------------------------------------

  /**
   * An app message to staff (agentid from the options). Each recipient is limited below WeCom's
   * 30/min (beyond it WeCom silently drops messages): over the limit the call waits.
   */
  async sendAppMessage(
    input: AppMessageBody & {
      touser: string[];
      enableDuplicateCheck?: boolean;
      /** seconds; WeCom's default is 1800 */
      duplicateCheckInterval?: number;
      safe?: 0 | 1;
    },
  ): Promise<AppMessageResult> {
    const { touser, enableDuplicateCheck, duplicateCheckInterval, safe, ...message } = input;
    await this.#limiter.acquire(rateRules.appMessageRecipients(touser, this.#limits));
    const answer = await this.#call<SendAppMessageResponse>('message/send', {
      body: {
        touser: touser.join('|'),
        agentid: this.agentId,
        ...message,
        safe,
        ...(enableDuplicateCheck
          ? { enable_duplicate_check: 1, duplicate_check_interval: duplicateCheckInterval ?? 1800 }
          : {}),
      },
    });
    return {
      msgid: answer.msgid,
      invaliduser: splitUsers(answer.invaliduser),
      unlicenseduser: splitUsers(answer.unlicenseduser),
    };
  }

  /** A group robot (`webhook/send?key=`): no access token; at most 20/min per robot. */
  sendRobotMessage(key: string, body: RobotMessage): Promise<WeComResponse> {
    return this.#call('webhook/send', {
      body,
      query: { key },
      auth: false,
      rules: rateRules.robot(secretDigest(key), this.#limits),
    });
  }

  // ---- staff ----------------------------------------------------------------------------------

  /**
   * Exchanges a single-use OAuth code for the staff member's userid (`userid`, or the older
   * `UserId`). A visitor outside the corp (answer with an openid only) throws WeComNotStaffError.
   */
  async getUserInfoByCode(code: string): Promise<{ userid: string }> {
    const api = 'auth/getuserinfo';
    const answer = await this.#call<UserInfoByCodeResponse>(api, { method: 'GET', query: { code } });
    const userid = answer.userid ?? answer.UserId;
    if (typeof userid === 'string' && userid !== '') return { userid };
    if (answer.openid ?? answer.OpenId) throw new WeComNotStaffError(api);
    throw new WeComTransportError(api, 'answer carries neither userid nor openid');
  }

  getUser(userid: string): Promise<UserResponse> {
    return this.#call('user/get', { method: 'GET', query: { userid } });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** Token handling and in-call retries around one API call. */
  async #call<T extends WeComResponse>(api: string, options: CallOptions): Promise<T> {
    const auth = options.auth !== false;
    const maxRetries = options.maxRetries ?? this.#retry.maxRetries;
    let tokenRefreshed = false;
    let retries = 0;
    for (;;) {
      let token: string | undefined;
      try {
        if (auth) token = await this.getAccessToken();
        return await this.#send<T>(api, options, token);
      } catch (err) {
        if (!(err instanceof WeComApiError)) throw err;
        if (err.tokenRejected && token !== undefined && !tokenRefreshed) {
          tokenRefreshed = true;
          this.#log.debug({ api, errcode: err.errcode }, 'WeCom rejected the access token; refreshing once');
          await this.invalidateAccessToken(token);
          continue;
        }
        if ((err.frequencyLimited || err.busy) && retries < maxRetries) {
          const delayMs = this.#backoff(retries);
          retries += 1;
          this.#log.warn(
            { api: err.api, errcode: err.errcode, retry: retries, delayMs },
            'WeCom asked us to slow down; backing off',
          );
          await this.#sleep(delayMs);
          continue;
        }
        if (!err.permanent) {
          this.#log.debug({ api: err.api, errcode: err.errcode }, 'WeCom call failed; retryable');
        }
        throw err;
      }
    }
  }

  #backoff(retry: number): number {
    const { baseDelayMs, maxDelayMs } = this.#retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
    // "equal jitter": at least half the step, so retries never bunch up at zero
    return Math.round(ceiling / 2 + this.#random() * (ceiling / 2));
  }

  /** One HTTP request: rate limit, timeout, WeCom envelope → value or error. */
  async #send<T extends WeComResponse>(api: string, options: CallOptions, token?: string): Promise<T> {
    await this.#limiter.acquire(options.rules ?? rateRules.api(api, this.#limits));
    const params = new URLSearchParams();
    if (token !== undefined) params.set('access_token', token);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const method = options.method ?? 'POST';
    const qs = params.toString();
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.#apiBase()}/cgi-bin/${api}${qs ? `?${qs}` : ''}`, {
        method,
        dispatcher: this.#http,
        headers: method === 'POST' ? POST_HEADERS : GET_HEADERS,
        ...(method === 'POST' ? { body: JSON.stringify(options.body ?? {}) } : {}),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        // the two timeouts above reset on every chunk; this is a hard deadline for a trickling answer
        signal: this.#deadlines.signal(this.#timeoutMs + 1_000),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw transportError(api, err, this.#timeoutMs);
    }
    let parsed: unknown;
    try {
      parsed = text !== '' ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!isEnvelope(parsed)) {
      throw new WeComTransportError(
        api,
        status === 200 ? 'answer is not WeCom JSON' : `HTTP ${status} without a WeCom answer`,
        { status },
      );
    }
    if (parsed.errcode !== 0) {
      throw new WeComApiError({ api, errcode: parsed.errcode, errmsg: String(parsed.errmsg ?? '') });
    }
    return parsed as unknown as T;
  }
}

function credential(api: string, value: unknown, expiresIn: unknown): FetchedCredential {
  if (typeof value !== 'string' || value === '') {
    throw new WeComTransportError(api, 'answer carries no credential');
  }
  return { value, expiresIn: typeof expiresIn === 'number' ? expiresIn : 7200 };
}

function contactWayFields(input: ContactWayUpdate) {
  return {
    style: input.style,
    remark: input.remark,
    skip_verify: input.skipVerify,
    state: input.state,
    user: input.user,
    party: input.party,
    expires_in: input.expiresIn,
    chat_expires_in: input.chatExpiresIn,
    unionid: input.unionid,
    conclusions: input.conclusions,
  };
}

/** undici's timeouts, and an abort by the hard deadline */
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_ABORTED',
  'ETIMEDOUT',
]);

/** A failed request's error may carry its URL (with the token): keep only a code and a plain message. */
function transportError(api: string, err: unknown, timeoutMs: number): WeComTransportError {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | undefined;
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if ((code && TIMEOUT_CODES.has(code)) || e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new WeComTransportError(api, `no answer within ${timeoutMs} ms`, {
      timedOut: true,
      ...(code ? { code } : {}),
    });
  }
  return new WeComTransportError(api, `request failed (${code ?? 'network error'})`, {
    ...(code ? { code } : {}),
  });
}
