import type { CgiRouter } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { optString, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';

const TICKET_TTL_S = 7200;

export function registerAuthApis(api: CgiRouter, state: SimulatorState): void {
  const { config, credentials, contacts, clock } = state;

  api.get(
    'gettoken',
    ({ query }) => {
      const corpId = optString(query, 'corpid');
      const secret = optString(query, 'corpsecret');
      if (!corpId) throw new WeComError(ErrCode.missingCorpId);
      if (!secret) throw new WeComError(ErrCode.missingSecret);
      if (corpId !== config.corpId) throw new WeComError(ErrCode.invalidCorpId);
      if (secret !== config.corpSecret) throw new WeComError(ErrCode.invalidSecret);
      const { token, expiresIn } = credentials.issueToken(clock.nowMs());
      return { access_token: token, expires_in: expiresIn };
    },
    { auth: false },
  );

  api.get('get_jsapi_ticket', () => ({ ticket: credentials.jsapiTicket, expires_in: TICKET_TTL_S }));

  api.get('ticket/get', ({ query }) => {
    if (query.type !== 'agent_config') throw new WeComError(ErrCode.invalidTicketType);
    return { ticket: credentials.agentTicket, expires_in: TICKET_TTL_S };
  });

  api.get('auth/getuserinfo', ({ query }) => ({
    userid: credentials.consumeOAuthCode(query.code, clock.nowMs()),
  }));

  // the older name of the same call, answering in its own casing
  api.get('user/getuserinfo', ({ query }) => ({
    UserId: credentials.consumeOAuthCode(query.code, clock.nowMs()),
    DeviceId: '',
  }));

  api.get('user/get', ({ query }) => {
    const staff = contacts.staff.get(reqString(query, 'userid'));
    if (!staff) throw new WeComError(ErrCode.userNotFound);
    return {
      userid: staff.userid,
      name: staff.name,
      department: staff.department,
      main_department: staff.department[0] ?? 1,
      position: staff.position,
      mobile: staff.mobile,
      gender: staff.gender,
      email: staff.email,
      avatar: staff.avatar,
      thumb_avatar: staff.avatar,
      status: 1,
    };
  });
}
