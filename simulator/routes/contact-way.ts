import type { CgiRouter, Params } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { decodeCursor, encodeCursor, newId } from '../ids.js';
import { optArray, optBool, optInt, optString, optStringArray, reqString } from '../params.js';
import type { ContactWay, SimulatorState } from '../state.js';

const MAX_STATE_LENGTH = 30;

export function registerContactWayApis(api: CgiRouter, state: SimulatorState, baseUrl: () => string): void {
  const { contactWays, contacts, clock } = state;

  function requireWay(body: Params): ContactWay {
    const way = contactWays.get(reqString(body, 'config_id'));
    if (!way) throw new WeComError(ErrCode.invalidArgs, 'invalid config_id');
    return way;
  }

  function applyEditable(way: ContactWay, body: Params): void {
    const users = optStringArray(body, 'user');
    if (users?.some((u) => !contacts.staff.has(u))) throw new WeComError(ErrCode.invalidUserId);
    const stateParam = optString(body, 'state');
    if (stateParam !== undefined && stateParam.length > MAX_STATE_LENGTH) {
      throw new WeComError(ErrCode.invalidArgs, 'state too long');
    }
    if (users !== undefined) way.user = users;
    const party = optArray(body, 'party');
    if (party !== undefined) way.party = party.map(Number);
    if (stateParam !== undefined) way.state = stateParam;
    const remark = optString(body, 'remark');
    if (remark !== undefined) way.remark = remark;
    const skipVerify = optBool(body, 'skip_verify');
    if (skipVerify !== undefined) way.skip_verify = skipVerify;
    const style = optInt(body, 'style');
    if (style !== undefined) way.style = style;
    const expiresIn = optInt(body, 'expires_in');
    if (expiresIn !== undefined) way.expires_in = expiresIn;
    const chatExpiresIn = optInt(body, 'chat_expires_in');
    if (chatExpiresIn !== undefined) way.chat_expires_in = chatExpiresIn;
    const unionid = optString(body, 'unionid');
    if (unionid !== undefined) way.unionid = unionid;
    if (body.conclusions !== undefined) way.conclusions = body.conclusions;
  }

  api.post('externalcontact/add_contact_way', ({ body }) => {
    const type = optInt(body, 'type');
    const scene = optInt(body, 'scene');
    if (type !== 1 && type !== 2) throw new WeComError(ErrCode.invalidArgs, 'invalid type');
    if (scene !== 1 && scene !== 2) throw new WeComError(ErrCode.invalidArgs, 'invalid scene');
    const configId = newId.configId();
    const way: ContactWay = {
      config_id: configId,
      type,
      scene,
      remark: '',
      skip_verify: true,
      state: '',
      user: [],
      party: [],
      is_temp: optBool(body, 'is_temp') ?? false,
      qr_code: scene === 2 ? `${baseUrl()}/sim/qr/${configId}.png` : '',
      created_at: clock.nowSeconds(),
    };
    applyEditable(way, body);
    if (way.user.length === 0 && way.party.length === 0)
      throw new WeComError(ErrCode.invalidArgs, 'missing user');
    if (type === 1 && way.user.length !== 1)
      throw new WeComError(ErrCode.invalidArgs, 'type 1 takes one user');
    contactWays.set(configId, way);
    return { config_id: configId, ...(scene === 2 ? { qr_code: way.qr_code } : {}) };
  });

  api.post('externalcontact/update_contact_way', ({ body }) => {
    applyEditable(requireWay(body), body);
    return {};
  });

  api.post('externalcontact/get_contact_way', ({ body }) => {
    const { created_at: _created, ...way } = requireWay(body);
    return { contact_way: way };
  });

  api.post('externalcontact/del_contact_way', ({ body }) => {
    contactWays.delete(requireWay(body).config_id);
    return {};
  });

  api.post('externalcontact/list_contact_way', ({ body }) => {
    const limit = optInt(body, 'limit') ?? 100;
    if (limit < 1 || limit > 1000) throw new WeComError(ErrCode.invalidArgs, 'invalid limit');
    const startTime = optInt(body, 'start_time') ?? 0;
    const endTime = optInt(body, 'end_time') ?? Number.MAX_SAFE_INTEGER;
    const start = decodeCursor(optString(body, 'cursor') ?? '', 1);
    if (!start) throw new WeComError(ErrCode.invalidArgs, 'invalid cursor');
    const matching = [...contactWays.values()].filter(
      (w) => w.created_at >= startTime && w.created_at <= endTime,
    );
    const from = start[0] ?? 0;
    const page = matching.slice(from, from + limit);
    return {
      contact_way: page.map((w) => ({ config_id: w.config_id })),
      next_cursor: from + limit < matching.length ? encodeCursor([from + limit]) : '',
    };
  });
}
