import type { CgiRouter, Params } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../ids.js';
import { optArray, optInt, optObject, optString, optStringArray, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';
import type { MassRecipient, MassSend } from '../store/mass-sends.js';

const REMINDS_PER_DAY = 3;
const DAY_MS = 86_400_000;

function page<T>(items: T[], body: Params): { items: T[]; next_cursor: string } {
  const limit = optInt(body, 'limit') ?? 500;
  if (limit < 1 || limit > 1000) throw new WeComError(ErrCode.invalidArgs, 'invalid limit');
  const start = decodeCursor(optString(body, 'cursor') ?? '', 1);
  if (!start) throw new WeComError(ErrCode.invalidArgs, 'invalid cursor');
  const from = start[0] ?? 0;
  return {
    items: items.slice(from, from + limit),
    next_cursor: from + limit < items.length ? encodeCursor([from + limit]) : '',
  };
}

export function registerGroupMsgApis(api: CgiRouter, state: SimulatorState): void {
  const { contacts, groups, massSends, clock } = state;

  function requireSend(body: Params): MassSend {
    const send = massSends.sends.get(reqString(body, 'msgid'));
    if (!send) throw new WeComError(ErrCode.invalidArgs, 'invalid msgid');
    return send;
  }

  function singleRecipients(sender: string | undefined, externalUserIds: string[] | undefined) {
    const recipients: MassRecipient[] = [];
    const failList: string[] = [];
    if (externalUserIds === undefined) {
      if (sender === undefined)
        throw new WeComError(ErrCode.invalidArgs, 'missing sender or external_userid');
      for (const { follow } of contacts.followsOfStaff(sender)) {
        recipients.push({ userid: sender, external_userid: follow.external_userid, status: 0 });
      }
      return { recipients, failList };
    }
    for (const externalUserId of new Set(externalUserIds)) {
      const follows =
        sender === undefined
          ? contacts.followsOf(externalUserId)
          : [contacts.getFollow(sender, externalUserId)].filter((f) => f !== undefined);
      if (follows.length === 0) failList.push(externalUserId);
      for (const f of follows)
        recipients.push({ userid: f.userid, external_userid: externalUserId, status: 0 });
    }
    return { recipients, failList };
  }

  function groupRecipients(sender: string | undefined, chatIds: string[] | undefined) {
    const recipients: MassRecipient[] = [];
    const failList: string[] = [];
    const chats =
      chatIds === undefined
        ? [...groups.list()].map(({ chat }) => chat).filter((c) => sender === undefined || c.owner === sender)
        : chatIds.flatMap((id) => {
            const chat = groups.chats.get(id);
            if (!chat || (sender !== undefined && chat.owner !== sender)) failList.push(id);
            return chat && (sender === undefined || chat.owner === sender) ? [chat] : [];
          });
    for (const chat of chats) recipients.push({ userid: chat.owner, chat_id: chat.chat_id, status: 0 });
    return { recipients, failList };
  }

  api.post('externalcontact/add_msg_template', ({ body }) => {
    const chatType = optString(body, 'chat_type') ?? 'single';
    if (chatType !== 'single' && chatType !== 'group')
      throw new WeComError(ErrCode.invalidArgs, 'invalid chat_type');
    const sender = optString(body, 'sender');
    if (sender !== undefined && !contacts.staff.has(sender)) throw new WeComError(ErrCode.invalidUserId);
    const text = optObject(body, 'text');
    const content = text === undefined ? undefined : optString(text, 'content');
    const attachments = optArray(body, 'attachments') ?? [];
    if ((content === undefined || content === '') && attachments.length === 0) {
      throw new WeComError(ErrCode.emptyContent);
    }
    if (attachments.length > 9) throw new WeComError(ErrCode.invalidArgs, 'too many attachments');
    const { recipients, failList } =
      chatType === 'single'
        ? singleRecipients(sender, optStringArray(body, 'external_userid'))
        : groupRecipients(sender, optStringArray(body, 'chat_id_list'));
    const send = massSends.create({
      chat_type: chatType,
      ...(sender !== undefined ? { sender } : {}),
      ...(content !== undefined ? { text: { content } } : {}),
      attachments,
      request: body,
      createdAt: clock.nowMs(),
      fail_list: failList,
      recipients,
    });
    return { fail_list: failList, msgid: send.msgid };
  });

  api.post('externalcontact/get_groupmsg_task', ({ body }) => {
    const send = requireSend(body);
    const { items, next_cursor } = page(massSends.tasks(send), body);
    return { next_cursor, task_list: items };
  });

  api.post('externalcontact/get_groupmsg_send_result', ({ body }) => {
    const send = requireSend(body);
    const userid = optString(body, 'userid');
    const rows = userid === undefined ? send.recipients : send.recipients.filter((r) => r.userid === userid);
    const { items, next_cursor } = page(rows, body);
    return { next_cursor, send_list: items.map((r) => ({ ...r })) };
  });

  api.post('externalcontact/remind_groupmsg_send', ({ body }) => {
    const send = requireSend(body);
    const now = clock.nowMs();
    send.remindedAt = send.remindedAt.filter((t) => now - t < DAY_MS);
    if (send.remindedAt.length >= REMINDS_PER_DAY)
      throw new WeComError(ErrCode.freqLimit, 'remind limit reached');
    send.remindedAt.push(now);
    return {};
  });

  api.post('externalcontact/cancel_groupmsg_send', ({ body }) => {
    requireSend(body).canceled = true;
    return {};
  });
}
