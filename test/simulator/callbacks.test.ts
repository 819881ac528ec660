import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ReceivedCallback,
  simOptions,
  startReceiver,
  startTestSimulator,
  type TestSimulator,
} from './fixture.js';

let t: TestSimulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const parser = new XMLParser({ parseTagValue: false });

beforeAll(async () => {
  t = await startTestSimulator();
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.sim.close();
  await receiver.close();
});
beforeEach(async () => {
  await t.client.reset();
  receiver.received.length = 0;
  await t.client.setCallbackUrl(receiver.url);
  await t.client.addStaff({ userid: 'zhangsan', name: '张三' });
  await t.api.login();
});

/** What the product must do: check the signature, decrypt, check the receiveid. */
function open(callback: ReceivedCallback) {
  const envelope = parser.parse(callback.body).xml as Record<string, string>;
  const encrypted = envelope.Encrypt ?? '';
  const { msg_signature: sig, timestamp, nonce } = callback.query;
  expect(getSignature(simOptions.token, timestamp ?? '', nonce ?? '', encrypted)).toBe(sig);
  const { message, id } = decrypt(simOptions.encodingAesKey, encrypted);
  return { envelope, message, receiveId: id, fields: parser.parse(message).xml as Record<string, unknown> };
}

describe('fired callbacks', () => {
  it('delivers add_external_contact signed and encrypted the WeCom way', async () => {
    const fired = await t.client.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '王小明' },
      state: 'spring_qr',
    });
    expect(fired).toMatchObject({ status: 200, body: 'success' });
    expect(receiver.received).toHaveLength(1);
    const callback = receiver.received[0] as ReceivedCallback;
    expect(callback.contentType).toContain('xml');

    const { envelope, message, receiveId, fields } = open(callback);
    expect(envelope).toMatchObject({ ToUserName: simOptions.corpId, AgentID: String(simOptions.agentId) });
    expect(callback.body).toContain(`<ToUserName><![CDATA[${simOptions.corpId}]]></ToUserName>`);
    expect(receiveId).toBe(simOptions.corpId);
    expect(message).toBe(fired.plaintext);
    expect(message).toContain('<FromUserName><![CDATA[sys]]></FromUserName>');
    expect(fields).toEqual({
      ToUserName: simOptions.corpId,
      FromUserName: 'sys',
      CreateTime: expect.stringMatching(/^\d{10}$/),
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: fired.external_userid,
      State: 'spring_qr',
      WelcomeCode: fired.welcome_code,
    });

    const details = await t.api.get('externalcontact/get', { external_userid: fired.external_userid });
    expect(details.follow_user[0]).toMatchObject({ userid: 'zhangsan', state: 'spring_qr' });
  });

  it('reports the product’s status and body', async () => {
    const failing = await startReceiver({ status: 401, body: 'bad signature' });
    await t.client.setCallbackUrl(failing.url);
    const fired = await t.client.fire.raw({ xml: '<xml><A>1</A></xml>', badSignature: true });
    expect(fired).toMatchObject({ status: 401, body: 'bad signature' });
    await failing.close();
  });

  it('redelivers verbatim or re-encrypted', async () => {
    await t.client.fire.addExternalContact({ userid: 'zhangsan' });
    await t.client.fire.redeliver({ verbatim: true });
    await t.client.fire.redeliver({ verbatim: false });
    const [first, verbatim, fresh] = receiver.received as [
      ReceivedCallback,
      ReceivedCallback,
      ReceivedCallback,
    ];
    expect(verbatim.body).toBe(first.body);
    expect(verbatim.query).toEqual(first.query);
    expect(fresh.body).not.toBe(first.body);
    expect(open(fresh).message).toBe(open(first).message);
  });

  it('writes change_external_chat updates with member versions and both list forms', async () => {
    const created = await t.client.fire.createChat({ name: '春季群', owner: 'zhangsan', members: [] });
    const before = await t.api.post('externalcontact/groupchat/get', {
      chat_id: created.chat_id,
      need_name: 1,
    });
    expect(before.group_chat.member_version).toBe(created.member_version);

    const added = await t.client.fire.updateChat({
      chat_id: created.chat_id,
      update_detail: 'add_member',
      join_scene: 3,
      members: [{ userid: 'wmJack' }, { userid: 'wmRose' }],
    });
    const fields = parser.parse(added.plaintext).xml;
    expect(fields).toMatchObject({
      Event: 'change_external_chat',
      ChatId: created.chat_id,
      ChangeType: 'update',
      UpdateDetail: 'add_member',
      JoinScene: '3',
      MemChangeCnt: '2',
      MemChangeList: { Item: ['wmJack', 'wmRose'] },
      LastMemVer: created.member_version,
      CurMemVer: added.member_version,
    });
    expect(added.member_version).not.toBe(created.member_version);

    const after = await t.api.post('externalcontact/groupchat/get', { chat_id: created.chat_id });
    expect(after.group_chat.member_version).toBe(added.member_version);
    expect(after.group_chat.member_list).toHaveLength(3);
    expect(after.group_chat.member_list[1]).toMatchObject({ userid: 'wmJack', type: 2, join_scene: 3 });

    const removed = await t.client.fire.updateChat({
      chat_id: created.chat_id,
      update_detail: 'del_member',
      userids: ['wmRose'],
      memChangeListForm: 'csv',
    });
    expect(removed.plaintext).toContain('<MemChangeList><![CDATA[wmRose]]></MemChangeList>');
  });

  it('delivers a staff text message to the app', async () => {
    const fired = await t.client.fire.textMessage({ userid: 'zhangsan', content: '今日任务' });
    const { fields } = open(receiver.received[0] as ReceivedCallback);
    expect(fields).toMatchObject({
      FromUserName: 'zhangsan',
      MsgType: 'text',
      Content: '今日任务',
      MsgId: fired.msg_id,
      AgentID: String(simOptions.agentId),
    });
  });

  it('performs URL verification with an encrypted echostr', async () => {
    expect(await t.client.verifyUrl('1616140317555161061')).toEqual({
      ok: true,
      status: 200,
      body: '1616140317555161061',
    });
  });

  it('refuses to fire without a callback URL', async () => {
    await t.client.setCallbackUrl(null);
    await expect(t.client.fire.addExternalContact({ userid: 'zhangsan' })).rejects.toMatchObject({
      status: 409,
    });
  });
});

describe('send_welcome_msg', () => {
  const send = (code: string) =>
    t.api.post('externalcontact/send_welcome_msg', { welcome_code: code, text: { content: '欢迎！' } });

  it('accepts a fired welcome code once', async () => {
    const fired = await t.client.fire.addExternalContact({ userid: 'zhangsan' });
    expect((await send(fired.welcome_code ?? '')).errcode).toBe(0);
    expect((await send(fired.welcome_code ?? '')).errcode).toBe(41051);
    expect((await send('never-issued')).errcode).toBe(40097);
    const sent = await t.client.sent.welcomeMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      userid: 'zhangsan',
      external_userid: fired.external_userid,
      text: { content: '欢迎！' },
    });
    expect(sent[0]?.msAfterEvent).toBeLessThan(20_000);
  });

  it('refuses a code used more than 20 s after the event', async () => {
    const fired = await t.client.fire.addExternalContact({ userid: 'zhangsan' });
    await t.client.advanceClock(21);
    expect((await send(fired.welcome_code ?? '')).errcode).toBe(40097);
    expect(await t.client.sent.welcomeMessages()).toEqual([]);
  });
});
