import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simOptions, startReceiver, startTestSimulator, type TestSimulator } from './fixture.js';

let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(async () => {
  await t.sim.close();
});
beforeEach(async () => {
  await t.client.reset();
  await t.client.addStaff({ userid: 'zhangsan' }, { userid: 'lisi' });
  await t.api.login();
});

describe('mass sends (add_msg_template)', () => {
  it('creates a task per call, reports fail_list, and exposes per-recipient status', async () => {
    const [a, b] = await t.client.generateCustomers({ count: 2, userids: ['zhangsan'] });
    const body = {
      chat_type: 'single',
      sender: 'zhangsan',
      external_userid: [a, b, 'wmStranger'],
      text: { content: '限时优惠' },
    };
    const first = await t.api.post('externalcontact/add_msg_template', body);
    const second = await t.api.post('externalcontact/add_msg_template', body);
    expect(first).toMatchObject({ errcode: 0, fail_list: ['wmStranger'] });
    expect(second.msgid).not.toBe(first.msgid);

    const msgid = first.msgid;
    const unsent = await t.api.post('externalcontact/get_groupmsg_send_result', {
      msgid,
      userid: 'zhangsan',
    });
    expect(unsent.send_list).toEqual([
      { external_userid: a, userid: 'zhangsan', status: 0 },
      { external_userid: b, userid: 'zhangsan', status: 0 },
    ]);
    expect((await t.api.post('externalcontact/get_groupmsg_task', { msgid })).task_list).toEqual([
      { userid: 'zhangsan', status: 0 },
    ]);

    expect(
      await t.client.setMassSendStatus(msgid, { external_userid: a, status: 1, send_time: 1700000000 }),
    ).toBe(1);
    expect(await t.client.setMassSendStatus(msgid, { external_userid: b, status: 2 })).toBe(1);
    const result = await t.api.post('externalcontact/get_groupmsg_send_result', {
      msgid,
      userid: 'zhangsan',
      limit: 1,
    });
    expect(result.send_list).toEqual([
      { external_userid: a, userid: 'zhangsan', status: 1, send_time: 1700000000 },
    ]);
    const rest = await t.api.post('externalcontact/get_groupmsg_send_result', {
      msgid,
      userid: 'zhangsan',
      cursor: result.next_cursor,
    });
    expect(rest).toMatchObject({ next_cursor: '', send_list: [{ external_userid: b, status: 2 }] });
    expect((await t.api.post('externalcontact/get_groupmsg_task', { msgid })).task_list).toEqual([
      { userid: 'zhangsan', status: 2, send_time: 1700000000 },
    ]);

    const recorded = await t.client.sent.massSends();
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toMatchObject({ msgid, sender: 'zhangsan', text: { content: '限时优惠' } });
  });

  it('allows three reminders a day', async () => {
    await t.client.generateCustomers({ count: 1, userids: ['zhangsan'] });
    const { msgid } = await t.api.post('externalcontact/add_msg_template', {
      sender: 'zhangsan',
      text: { content: 'hi' },
    });
    for (let i = 0; i < 3; i++) {
      expect((await t.api.post('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
    }
    expect((await t.api.post('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(45009);
    await t.client.advanceClock(86_401);
    await t.api.login();
    expect((await t.api.post('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
    expect((await t.api.post('externalcontact/cancel_groupmsg_send', { msgid })).errcode).toBe(0);
  });
});

describe('message/send and the group robot', () => {
  it('records app messages and reports unknown userids', async () => {
    const answer = await t.api.post('message/send', {
      touser: 'zhangsan|ghost',
      msgtype: 'textcard',
      agentid: simOptions.agentId,
      textcard: { title: '今日任务', description: '3 个 SOP 任务', url: 'http://product.test/tasks' },
    });
    expect(answer).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect(await t.client.sent.appMessages()).toMatchObject([
      { msgid: answer.msgid, touser: ['zhangsan'], invaliduser: ['ghost'], msgtype: 'textcard' },
    ]);
    const wrongAgent = await t.api.post('message/send', {
      touser: 'zhangsan',
      msgtype: 'text',
      agentid: 1,
      text: { content: 'x' },
    });
    expect(wrongAgent.errcode).toBe(40056);
  });

  it('limits a robot to 20 messages a minute', async () => {
    const send = () =>
      t.api.post(
        'webhook/send',
        { msgtype: 'markdown', markdown: { content: '**日报**' } },
        { key: 'robot-1' },
      );
    for (let i = 0; i < 20; i++) expect((await send()).errcode).toBe(0);
    expect((await send()).errcode).toBe(45009);
    expect(
      (await t.api.post('webhook/send', { msgtype: 'text', text: { content: 'other' } }, { key: 'robot-2' }))
        .errcode,
    ).toBe(0);
    await t.client.advanceClock(61);
    expect((await send()).errcode).toBe(0);
    expect(await t.client.sent.robotMessages()).toHaveLength(22);
  });
});

describe('contact ways', () => {
  it('creates a QR contact way whose image the simulator serves, and fires adds through it', async () => {
    const created = await t.api.post('externalcontact/add_contact_way', {
      type: 2,
      scene: 2,
      state: 'ch_42',
      user: ['zhangsan', 'lisi'],
    });
    expect(created.errcode).toBe(0);
    const png = await fetch(created.qr_code);
    expect(png.headers.get('content-type')).toContain('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    expect(
      (await t.api.post('externalcontact/update_contact_way', { config_id: created.config_id, remark: 'r' }))
        .errcode,
    ).toBe(0);
    const got = await t.api.post('externalcontact/get_contact_way', { config_id: created.config_id });
    expect(got.contact_way).toMatchObject({
      config_id: created.config_id,
      state: 'ch_42',
      remark: 'r',
      user: ['zhangsan', 'lisi'],
    });

    const receiver = await startReceiver();
    await t.client.setCallbackUrl(receiver.url);
    const fired = await t.client.fire.addExternalContact({ config_id: created.config_id });
    expect(fired.plaintext).toContain('<State><![CDATA[ch_42]]></State>');
    expect(fired.userid).toBe('zhangsan');
    await receiver.close();

    expect(
      (await t.api.post('externalcontact/del_contact_way', { config_id: created.config_id })).errcode,
    ).toBe(0);
    expect(
      (await t.api.post('externalcontact/get_contact_way', { config_id: created.config_id })).errcode,
    ).not.toBe(0);
  });
});
