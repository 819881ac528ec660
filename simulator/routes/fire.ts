import { randomInt } from 'node:crypto';
import express, { type Router } from 'express';
import type { CallbackSender, Delivery } from '../callbacks.js';
import { ControlError } from '../errors.js';
import { type ChatEvent, chatEventXml, contactEventXml, tagEventXml, textMessageXml } from '../events.js';
import {
  fireAddContactBody,
  fireChatDismissBody,
  fireChatUpdateBody,
  fireDelContactBody,
  fireDelFollowUserBody,
  fireEditContactBody,
  fireRawBody,
  fireTagBody,
  fireTextBody,
  fireTransferFailBody,
  groupInput,
  redeliverBody,
} from '../schemas.js';
import type { SimulatorState } from '../state.js';
import type { Follow } from '../store/contacts.js';
import type { GroupChat } from '../store/groups.js';
import { notFound, withBody } from './control-kit.js';

/**
 * Each endpoint changes the simulator's state the way WeCom would, then delivers the event to the
 * product and answers `{ status, body, deliveryId, plaintext, ... }` with the product's response.
 */
export function fireRouter(state: SimulatorState, sender: CallbackSender): Router {
  const router = express.Router();
  const { contacts, groups, tags, clock, config } = state;
  const header = () => ({ corpId: config.corpId, createTime: clock.nowSeconds() });

  router.use((_req, _res, next) => {
    if (state.callbackUrl === undefined) {
      throw new ControlError(409, 'no callback URL set (PUT /sim/config { callbackUrl })');
    }
    next();
  });

  async function deliver<T extends object>(plaintext: string, extra: T): Promise<Delivery & T> {
    return { ...(await sender.send(plaintext)), ...extra };
  }

  function requireStaff(userid: string): void {
    if (!contacts.staff.has(userid)) throw new ControlError(400, `unknown staff ${userid}`);
  }

  function requireFollow(userid: string, externalUserId: string): Follow {
    const follow = contacts.getFollow(userid, externalUserId);
    if (!follow) throw notFound(`relation ${userid} → ${externalUserId}`);
    return follow;
  }

  function requireChat(chatId: string): GroupChat {
    const chat = groups.chats.get(chatId);
    if (!chat) throw notFound(`group ${chatId}`);
    return chat;
  }

  for (const changeType of ['add_external_contact', 'add_half_external_contact'] as const) {
    const path =
      changeType === 'add_external_contact' ? '/add-external-contact' : '/add-half-external-contact';
    router.post(
      path,
      withBody(fireAddContactBody, async (input) => {
        const way = input.config_id === undefined ? undefined : state.contactWays.get(input.config_id);
        if (input.config_id !== undefined && !way) throw notFound(`contact way ${input.config_id}`);
        const userid = input.userid ?? way?.user[0];
        if (userid === undefined)
          throw new ControlError(400, 'userid (or a config_id with users) is required');
        requireStaff(userid);
        const stateParam = input.state ?? (way && way.state !== '' ? way.state : undefined);
        const existing =
          input.external_userid === undefined ? undefined : contacts.customers.get(input.external_userid);
        const customer =
          existing && !input.customer
            ? existing
            : contacts.upsertCustomer({
                ...input.customer,
                external_userid: input.external_userid ?? input.customer?.external_userid,
              });
        contacts.upsertFollow(
          customer.external_userid,
          {
            userid,
            remark: input.remark,
            description: input.description,
            tag_ids: input.tag_ids,
            add_way: input.add_way ?? (way ? 1 : 0),
            state: stateParam,
            createtime: clock.nowSeconds(),
          },
          clock.nowSeconds(),
        );
        const welcome = input.welcomeCode
          ? state.credentials.issueWelcomeCode(userid, customer.external_userid, clock.nowMs())
          : undefined;
        const plaintext = contactEventXml(header(), {
          changeType,
          userid,
          externalUserId: customer.external_userid,
          ...(stateParam !== undefined ? { state: stateParam } : {}),
          ...(welcome ? { welcomeCode: welcome.code } : {}),
        });
        return deliver(plaintext, {
          userid,
          external_userid: customer.external_userid,
          ...(welcome ? { welcome_code: welcome.code } : {}),
        });
      }),
    );
  }

  router.post(
    '/edit-external-contact',
    withBody(fireEditContactBody, (input) => {
      requireFollow(input.userid, input.external_userid);
      contacts.upsertFollow(input.external_userid, input, clock.nowSeconds());
      const plaintext = contactEventXml(header(), {
        changeType: 'edit_external_contact',
        userid: input.userid,
        externalUserId: input.external_userid,
      });
      return deliver(plaintext, {});
    }),
  );

  router.post(
    '/del-external-contact',
    withBody(fireDelContactBody, (input) => {
      requireFollow(input.userid, input.external_userid);
      contacts.removeFollow(input.userid, input.external_userid);
      const plaintext = contactEventXml(header(), {
        changeType: 'del_external_contact',
        userid: input.userid,
        externalUserId: input.external_userid,
        ...(input.source !== undefined ? { source: input.source } : {}),
      });
      return deliver(plaintext, {});
    }),
  );

  router.post(
    '/del-follow-user',
    withBody(fireDelFollowUserBody, (input) => {
      requireFollow(input.userid, input.external_userid);
      contacts.removeFollow(input.userid, input.external_userid);
      const plaintext = contactEventXml(header(), {
        changeType: 'del_follow_user',
        userid: input.userid,
        externalUserId: input.external_userid,
      });
      return deliver(plaintext, {});
    }),
  );

  router.post(
    '/transfer-fail',
    withBody(fireTransferFailBody, (input) => {
      const plaintext = contactEventXml(header(), {
        changeType: 'transfer_fail',
        userid: input.userid,
        externalUserId: input.external_userid,
        failReason: input.fail_reason,
      });
      return deliver(plaintext, {});
    }),
  );

  router.post(
    '/chat-create',
    withBody(groupInput, (input) => {
      requireStaff(input.owner);
      const chat = groups.create(input, clock.nowSeconds());
      const plaintext = chatEventXml(header(), { chatId: chat.chat_id, changeType: 'create' });
      return deliver(plaintext, { chat_id: chat.chat_id, member_version: chat.member_version });
    }),
  );

  router.post(
    '/chat-update',
    withBody(fireChatUpdateBody, (input) => {
      const chat = requireChat(input.chat_id);
      const lastMemVer = chat.member_version;
      const now = clock.nowSeconds();
      const form = { memChangeListForm: input.memChangeListForm, versionsInCdata: input.versionsInCdata };
      let event: Omit<ChatEvent, 'chatId' | 'changeType' | 'updateDetail'>;
      switch (input.update_detail) {
        case 'add_member': {
          const joinScene = input.join_scene ?? 1;
          const members = (input.members ?? []).map((m) => ({ join_scene: joinScene, ...m }));
          if (members.length === 0) throw new ControlError(400, 'members is required for add_member');
          const added = groups.addMembers(chat, members, now);
          event = {
            joinScene,
            quitScene: 0,
            memChangeList: added,
            lastMemVer,
            curMemVer: chat.member_version,
          };
          break;
        }
        case 'del_member': {
          const quitScene = input.quit_scene ?? 0;
          const removed = groups.removeMembers(chat, input.userids ?? []);
          if (removed.length === 0) throw new ControlError(400, 'userids must name current members');
          event = {
            joinScene: 0,
            quitScene,
            memChangeList: removed,
            lastMemVer,
            curMemVer: chat.member_version,
          };
          break;
        }
        case 'change_owner': {
          if (input.owner === undefined) throw new ControlError(400, 'owner is required');
          if (!chat.members.has(input.owner)) groups.addMembers(chat, [{ userid: input.owner }], now);
          chat.owner = input.owner;
          event = {};
          break;
        }
        case 'change_name':
          chat.name = input.name ?? '';
          event = {};
          break;
        case 'change_notice':
          chat.notice = input.notice ?? '';
          event = {};
          break;
      }
      const plaintext = chatEventXml(header(), {
        chatId: chat.chat_id,
        changeType: 'update',
        updateDetail: input.update_detail,
        ...form,
        ...event,
      });
      return deliver(plaintext, { chat_id: chat.chat_id, member_version: chat.member_version });
    }),
  );

  router.post(
    '/chat-dismiss',
    withBody(fireChatDismissBody, (input) => {
      requireChat(input.chat_id);
      groups.dismiss(input.chat_id);
      return deliver(chatEventXml(header(), { chatId: input.chat_id, changeType: 'dismiss' }), {
        chat_id: input.chat_id,
      });
    }),
  );

  router.post(
    '/tag',
    withBody(fireTagBody, (input) => {
      const now = clock.nowSeconds();
      let id = input.id ?? '';
      if (input.change_type === 'create' && input.tag_type === 'tag') {
        const group = tags.groups.get(input.group_id ?? '');
        if (!group || input.name === undefined)
          throw new ControlError(400, 'group_id of an existing group and name');
        id = tags.addTag(group, input.name, input.order ?? 0, now).id;
      } else if (input.change_type === 'create') {
        if (input.name === undefined) throw new ControlError(400, 'name (the group name) is required');
        id = tags.upsertGroup(
          { group_name: input.name, order: input.order, tags: input.tags ?? [] },
          now,
        ).group_id;
      } else if (input.change_type === 'update') {
        const target = input.tag_type === 'tag' ? tags.tags.get(id) : tags.groups.get(id);
        if (!target) throw notFound(`${input.tag_type} ${id}`);
        if ('group_name' in target && input.name !== undefined) target.group_name = input.name;
        if ('name' in target && input.name !== undefined) target.name = input.name;
        if (input.order !== undefined) target.order = input.order;
      } else if (input.change_type === 'delete') {
        const deleted = input.tag_type === 'tag' ? tags.deleteTag(id) : tags.deleteGroup(id);
        if (!deleted) throw notFound(`${input.tag_type} ${id}`);
      }
      const plaintext = tagEventXml(header(), {
        id,
        tagType: input.tag_type,
        changeType: input.change_type,
        ...(input.strategy_id !== undefined ? { strategyId: input.strategy_id } : {}),
      });
      return deliver(plaintext, { id });
    }),
  );

  router.post(
    '/text-message',
    withBody(fireTextBody, (input) => {
      requireStaff(input.userid);
      const msgId = input.msg_id ?? String(randomInt(1e9, 9e9)) + String(randomInt(1e9, 9e9));
      if (!/^\d+$/.test(msgId)) throw new ControlError(400, 'msg_id must be digits');
      const plaintext = textMessageXml(header(), {
        fromUserid: input.userid,
        content: input.content,
        msgId,
        agentId: config.agentId,
      });
      return deliver(plaintext, { msg_id: msgId });
    }),
  );

  router.post(
    '/raw',
    withBody(fireRawBody, (input) =>
      sender.send(input.xml, {
        ...(input.badSignature !== undefined ? { badSignature: input.badSignature } : {}),
        ...(input.receiveId !== undefined ? { receiveId: input.receiveId } : {}),
        ...(input.timestamp !== undefined ? { timestamp: input.timestamp } : {}),
        ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
      }),
    ),
  );

  router.post(
    '/redeliver',
    withBody(redeliverBody, (input) => sender.redeliver(input.deliveryId, input.verbatim)),
  );

  return router;
}
