import { aggregate, daysBetween, pseudoBehavior } from '../behavior.js';
import type { CgiRouter } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../ids.js';
import { optArray, optInt, optObject, optString, optStringArray, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';
import type { Follow } from '../store/contacts.js';
import { customerToWire, followInfoToWire, followUserToWire } from '../wire.js';

const MAX_BEHAVIOR_RANGE_S = 30 * 86_400;

export function registerExternalContactApis(api: CgiRouter, state: SimulatorState): void {
  const { contacts, tags, clock } = state;

  function requireFollow(userid: string, externalUserId: string): Follow {
    const follow = contacts.getFollow(userid, externalUserId);
    if (!follow) throw new WeComError(ErrCode.noRelation);
    return follow;
  }

  api.get('externalcontact/get', ({ query }) => {
    const externalUserId = optString(query, 'external_userid');
    const customer = externalUserId === undefined ? undefined : contacts.customers.get(externalUserId);
    if (!customer || externalUserId === undefined) throw new WeComError(ErrCode.invalidExternalUserId);
    const follows = contacts.followsOf(externalUserId);
    if (follows.length === 0) throw new WeComError(ErrCode.noRelation);
    return {
      external_contact: customerToWire(customer),
      follow_user: follows.map((f) => followUserToWire(f, tags)),
      next_cursor: '',
    };
  });

  api.post('externalcontact/batch/get_by_user', ({ body }) => {
    const userids = optStringArray(body, 'userid_list') ?? [];
    const single = optString(body, 'userid');
    if (single !== undefined) userids.push(single);
    const limit = optInt(body, 'limit') ?? 50;
    if (userids.length === 0 || userids.length > 100)
      throw new WeComError(ErrCode.invalidArgs, 'invalid userid_list');
    if (limit < 1 || limit > 100) throw new WeComError(ErrCode.invalidArgs, 'invalid limit');
    const start = decodeCursor(optString(body, 'cursor') ?? '', 2);
    if (!start) throw new WeComError(ErrCode.invalidArgs, 'invalid cursor');
    const [startStaff = 0, startSlot = 0] = start;

    function* walk() {
      for (let i = startStaff; i < userids.length; i++) {
        const userid = userids[i];
        if (userid === undefined) continue;
        for (const item of contacts.followsOfStaff(userid, i === startStaff ? startSlot : 0)) {
          yield { staffIndex: i, ...item };
        }
      }
    }

    const walker = walk();
    const page: Array<{ staffIndex: number; slot: number; follow: Follow }> = [];
    while (page.length < limit) {
      const next = walker.next();
      if (next.done) break;
      page.push(next.value);
    }
    const last = page[page.length - 1];
    const more = last !== undefined && !walker.next().done;
    return {
      external_contact_list: page.flatMap(({ follow }) => {
        const customer = contacts.customers.get(follow.external_userid);
        if (!customer) return [];
        return [{ external_contact: customerToWire(customer), follow_info: followInfoToWire(follow, tags) }];
      }),
      next_cursor: more ? encodeCursor([last.staffIndex, last.slot + 1]) : '',
    };
  });

  api.get('externalcontact/list', ({ query }) => {
    const userid = reqString(query, 'userid');
    if (!contacts.staff.has(userid)) throw new WeComError(ErrCode.userNotFound);
    return {
      external_userid: [...contacts.followsOfStaff(userid)].map(({ follow }) => follow.external_userid),
    };
  });

  api.get('externalcontact/get_follow_user_list', () => ({
    follow_user: [...contacts.staff.values()].filter((s) => s.hasContactPermission).map((s) => s.userid),
  }));

  api.post('externalcontact/mark_tag', ({ body }) => {
    const userid = reqString(body, 'userid');
    const externalUserId = reqString(body, 'external_userid');
    const add = optStringArray(body, 'add_tag') ?? [];
    const remove = optStringArray(body, 'remove_tag') ?? [];
    if (add.length === 0 && remove.length === 0) throw new WeComError(ErrCode.invalidTagId);
    const follow = requireFollow(userid, externalUserId);
    if ([...add, ...remove].some((id) => !tags.tags.has(id))) throw new WeComError(ErrCode.invalidTagId);
    const removeSet = new Set(remove);
    follow.tagIds = [...new Set([...follow.tagIds, ...add])].filter((id) => !removeSet.has(id));
    state.markTags.push({
      userid,
      external_userid: externalUserId,
      add_tag: add,
      remove_tag: remove,
      receivedAt: clock.nowMs(),
    });
    return {};
  });

  api.post('externalcontact/remark', ({ body }) => {
    const userid = reqString(body, 'userid');
    const externalUserId = reqString(body, 'external_userid');
    const follow = requireFollow(userid, externalUserId);
    const remark = optString(body, 'remark');
    const description = optString(body, 'description');
    const company = optString(body, 'remark_company');
    const mobiles = optStringArray(body, 'remark_mobiles');
    if (remark !== undefined) follow.remark = remark;
    if (description !== undefined) follow.description = description;
    if (company !== undefined) follow.remark_corp_name = company;
    if (mobiles !== undefined) follow.remark_mobiles = mobiles;
    state.remarks.push({ userid, external_userid: externalUserId, body, receivedAt: clock.nowMs() });
    return {};
  });

  api.post('externalcontact/send_welcome_msg', ({ body }) => {
    const code = reqString(body, 'welcome_code');
    const text = optObject(body, 'text');
    const content = text === undefined ? undefined : optString(text, 'content');
    const attachments = optArray(body, 'attachments') ?? [];
    if ((content === undefined || content === '') && attachments.length === 0) {
      throw new WeComError(ErrCode.emptyContent);
    }
    if (attachments.length > 9) throw new WeComError(ErrCode.invalidArgs, 'too many attachments');
    const now = clock.nowMs();
    const welcome = state.credentials.consumeWelcomeCode(code, now);
    state.welcomeMessages.push({
      welcome_code: code,
      userid: welcome.userid,
      external_userid: welcome.external_userid,
      ...(content !== undefined ? { text: { content } } : {}),
      attachments,
      receivedAt: now,
      msAfterEvent: now - welcome.issuedAtMs,
    });
    return {};
  });

  api.post('externalcontact/get_user_behavior_data', ({ body }) => {
    const userids = new Set(optStringArray(body, 'userid') ?? []);
    const partyIds = (optArray(body, 'partyid') ?? []).map(Number);
    for (const staff of contacts.staff.values()) {
      if (staff.department.some((d) => partyIds.includes(d))) userids.add(staff.userid);
    }
    const startTime = optInt(body, 'start_time');
    const endTime = optInt(body, 'end_time');
    if (userids.size === 0 && partyIds.length === 0)
      throw new WeComError(ErrCode.invalidArgs, 'missing userid');
    if (startTime === undefined || endTime === undefined || endTime < startTime) {
      throw new WeComError(ErrCode.invalidArgs, 'invalid time range');
    }
    if (endTime - startTime > MAX_BEHAVIOR_RANGE_S)
      throw new WeComError(ErrCode.invalidArgs, 'range over 30 days');
    return {
      behavior_data: daysBetween(startTime, endTime).map((day) =>
        aggregate(
          day,
          [...userids].map((userid) => ({
            ...pseudoBehavior(userid, day),
            ...state.behaviorOverrides.get(`${userid}|${day}`),
          })),
        ),
      ),
    };
  });
}
