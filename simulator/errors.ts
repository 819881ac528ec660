export const ErrCode = {
  busy: -1,
  invalidSecret: 40001,
  invalidUserId: 40003,
  invalidMsgType: 40008,
  invalidCorpId: 40013,
  invalidToken: 40014,
  invalidOAuthCode: 40029,
  invalidParam: 40035,
  chatNotFound: 40050,
  invalidAgentId: 40056,
  invalidArgs: 40058,
  invalidTagId: 40068,
  tagNameExists: 40071,
  invalidExternalUserId: 40096,
  /** Not verified against WeCom's documentation: no public source found for an expired welcome_code. */
  invalidWelcomeCode: 40097,
  missingToken: 41001,
  missingCorpId: 41002,
  missingSecret: 41004,
  externalUserStartedChatting: 41051,
  tokenExpired: 42001,
  emptyContent: 44004,
  freqLimit: 45009,
  concurrencyLimit: 45033,
  noPermission: 48002,
  invalidRedirectDomain: 50001,
  invalidJson: 47001,
  userNotFound: 60111,
  allRecipientsInvalid: 81013,
  noRelation: 84061,
  invalidTicketType: 91040,
  invalidWebhookKey: 93000,
} as const;

const messages: Record<number, string> = {
  [-1]: 'system is busy',
  40001: 'invalid credential',
  40003: 'invalid userid',
  40008: 'invalid message type',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40035: 'invalid parameter',
  40050: 'chatid not found',
  40056: 'invalid agentid',
  40058: 'invalid parameter',
  40068: 'invalid tagid',
  40071: 'tag name already exists',
  40096: 'invalid external userid',
  40097: 'invalid welcome_code',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41051: 'externaluser has started chatting',
  42001: 'access_token expired',
  44004: 'empty content',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  47001: 'data format error',
  48002: 'api forbidden',
  50001: 'redirect_url not trusted',
  60111: 'userid not found',
  81013: 'user & party & tag all invalid',
  84061: 'not external contact',
  91040: 'invalid ticket type',
  93000: 'invalid webhook url',
};

export function errmsgFor(errcode: number, detail?: string): string {
  const base = detail ?? messages[errcode] ?? 'error';
  return `${base}, hint: [${Math.floor(Date.now() / 1000)}_sim], more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

export class WeComError extends Error {
  constructor(
    readonly errcode: number,
    detail?: string,
  ) {
    super(errmsgFor(errcode, detail));
  }
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
