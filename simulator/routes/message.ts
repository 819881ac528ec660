import type { CgiRouter, Params } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { newId } from '../ids.js';
import { optInt, optObject, optString, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';

const APP_MSG_TYPES = new Set(['text', 'textcard', 'markdown', 'template_card', 'news']);
const ROBOT_MSG_TYPES = new Set(['text', 'markdown', 'news']);
const ROBOT_PER_MINUTE = 20;
const TEXT_MAX_BYTES = 2048;
const MARKDOWN_MAX_BYTES = 4096;

function requireContent(body: Params, msgtype: string, fields: string[]): void {
  const payload = optObject(body, msgtype);
  if (!payload) throw new WeComError(ErrCode.invalidArgs, `missing ${msgtype}`);
  for (const field of fields) {
    const value = optString(payload, field);
    if (value === undefined || value === '') {
      throw new WeComError(
        field === 'content' ? ErrCode.emptyContent : ErrCode.invalidArgs,
        `missing ${field}`,
      );
    }
  }
}

function contentBytes(body: Params, msgtype: string): number {
  const payload = optObject(body, msgtype);
  return Buffer.byteLength((payload && optString(payload, 'content')) ?? '', 'utf8');
}

export function registerMessageApis(api: CgiRouter, state: SimulatorState): void {
  const { contacts, clock, config } = state;

  api.post('message/send', ({ body }) => {
    const agentid = optInt(body, 'agentid');
    if (agentid !== config.agentId) throw new WeComError(ErrCode.invalidAgentId);
    const msgtype = reqString(body, 'msgtype');
    if (!APP_MSG_TYPES.has(msgtype)) throw new WeComError(ErrCode.invalidMsgType);
    if (msgtype === 'text' || msgtype === 'markdown') requireContent(body, msgtype, ['content']);
    if (msgtype === 'textcard') requireContent(body, msgtype, ['title', 'description', 'url']);
    if (msgtype === 'template_card') requireContent(body, msgtype, ['card_type']);

    const touser = optString(body, 'touser') ?? '';
    const requested =
      touser === '@all' ? [...contacts.staff.keys()] : touser.split('|').filter((u) => u !== '');
    const valid = requested.filter((u) => contacts.staff.has(u));
    const invalid = requested.filter((u) => !contacts.staff.has(u));
    if (valid.length === 0) throw new WeComError(ErrCode.allRecipientsInvalid);
    const msgid = newId.appMsgId();
    state.appMessages.push({
      msgid,
      touser: valid,
      invaliduser: invalid,
      msgtype,
      agentid,
      body,
      receivedAt: clock.nowMs(),
    });
    return {
      invaliduser: invalid.join('|'),
      invalidparty: '',
      invalidtag: '',
      unlicenseduser: '',
      msgid,
      ...(msgtype === 'template_card' ? { response_code: newId.appMsgId() } : {}),
    };
  });

  api.post(
    'webhook/send',
    ({ query, body }) => {
      const key = query.key;
      if (key === undefined || key === '') throw new WeComError(ErrCode.invalidWebhookKey);
      const msgtype = reqString(body, 'msgtype');
      if (!ROBOT_MSG_TYPES.has(msgtype)) throw new WeComError(ErrCode.invalidMsgType);
      if (msgtype === 'text' || msgtype === 'markdown') requireContent(body, msgtype, ['content']);
      if (msgtype === 'text' && contentBytes(body, 'text') > TEXT_MAX_BYTES) {
        throw new WeComError(ErrCode.invalidArgs, 'content exceed max length');
      }
      if (msgtype === 'markdown' && contentBytes(body, 'markdown') > MARKDOWN_MAX_BYTES) {
        throw new WeComError(ErrCode.invalidArgs, 'content exceed max length');
      }
      const now = clock.nowMs();
      const window = (state.robotWindows.get(key) ?? []).filter((t) => now - t < 60_000);
      if (window.length >= ROBOT_PER_MINUTE) {
        state.robotWindows.set(key, window);
        throw new WeComError(ErrCode.freqLimit);
      }
      window.push(now);
      state.robotWindows.set(key, window);
      state.robotMessages.push({ key, msgtype, body, receivedAt: now });
      return {};
    },
    { auth: false },
  );
}
