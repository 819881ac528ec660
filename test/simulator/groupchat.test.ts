import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, startTestSimulator, type TestSimulator } from './fixture.js';

let t: TestSimulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

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
  await t.client.setCallbackUrl(receiver.url);
  await t.client.addStaff({ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' });
  await t.api.login();
});

describe('customer groups', () => {
  it('lists groups with a cursor and an owner filter', async () => {
    const ids = await t.client.addGroups(
      Array.from({ length: 5 }, (_, i) => ({
        name: `群${i}`,
        owner: i < 3 ? 'zhangsan' : 'lisi',
        members: [],
      })),
    );
    const first = await t.api.post('externalcontact/groupchat/list', { limit: 2 });
    expect(first.group_chat_list).toEqual([
      { chat_id: ids[0], status: 0 },
      { chat_id: ids[1], status: 0 },
    ]);
    const second = await t.api.post('externalcontact/groupchat/list', {
      limit: 10,
      cursor: first.next_cursor,
    });
    expect(second.group_chat_list.map((g: { chat_id: string }) => g.chat_id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBe('');
    const lisi = await t.api.post('externalcontact/groupchat/list', {
      limit: 10,
      owner_filter: { userid_list: ['lisi'] },
    });
    expect(lisi.group_chat_list).toHaveLength(2);
    expect((await t.api.post('externalcontact/groupchat/list', {})).errcode).toBe(40058);
  });

  it('answers groupchat/get with members, names and admins', async () => {
    const customer = await t.client.addCustomer({ name: '王小明', follow_users: [{ userid: 'zhangsan' }] });
    const chatId = await t.client.addGroup({
      name: '会员群',
      owner: 'zhangsan',
      notice: '群公告',
      admin_list: ['lisi'],
      members: [
        { userid: 'lisi', join_scene: 1 },
        { userid: customer, join_scene: 3, group_nickname: '小明' },
      ],
    });
    const answer = await t.api.post('externalcontact/groupchat/get', { chat_id: chatId, need_name: 1 });
    expect(answer.group_chat).toMatchObject({
      chat_id: chatId,
      name: '会员群',
      owner: 'zhangsan',
      notice: '群公告',
      admin_list: [{ userid: 'lisi' }],
      member_version: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(answer.group_chat.member_list).toEqual([
      expect.objectContaining({ userid: 'zhangsan', type: 1, name: '张三' }),
      expect.objectContaining({ userid: 'lisi', type: 1, invitor: { userid: 'zhangsan' } }),
      expect.objectContaining({
        userid: customer,
        type: 2,
        join_scene: 3,
        group_nickname: '小明',
        name: '王小明',
      }),
    ]);
    expect((await t.api.post('externalcontact/groupchat/get', { chat_id: 'wrNope' })).errcode).toBe(40050);
  });

  it('dismisses a group on a fired dismiss event', async () => {
    const chatId = await t.client.addGroup({ name: 'x', owner: 'zhangsan' });
    const fired = await t.client.fire.dismissChat(chatId);
    expect(fired.plaintext).toContain('<ChangeType><![CDATA[dismiss]]></ChangeType>');
    expect((await t.api.post('externalcontact/groupchat/get', { chat_id: chatId })).errcode).toBe(40050);
  });
});

describe('fired tag and contact changes', () => {
  it('creates and deletes tags through change_external_tag events', async () => {
    const group = await t.client.fire.tag({
      change_type: 'create',
      tag_type: 'tag_group',
      name: '兴趣',
      tags: [{ name: '美妆' }],
    });
    expect(group.plaintext).toContain(
      `<Id><![CDATA[${group.id}]]></Id><TagType><![CDATA[tag_group]]></TagType>`,
    );
    const tag = await t.client.fire.tag({
      change_type: 'create',
      tag_type: 'tag',
      group_id: group.id,
      name: '母婴',
    });
    let list = await t.api.post('externalcontact/get_corp_tag_list', { group_id: [group.id] });
    expect(list.tag_group[0].tag.map((x: { name: string }) => x.name)).toEqual(['美妆', '母婴']);

    await t.client.fire.tag({ change_type: 'delete', tag_type: 'tag', id: tag.id });
    list = await t.api.post('externalcontact/get_corp_tag_list', { tag_id: [tag.id] });
    expect(list.tag_group).toEqual([]);
  });

  it('edits and deletes relations', async () => {
    const { external_userid: id } = await t.client.fire.addExternalContact({
      userid: 'zhangsan',
      welcomeCode: false,
    });
    const edited = await t.client.fire.editExternalContact({
      userid: 'zhangsan',
      external_userid: id,
      remark: 'VIP',
    });
    expect(edited.plaintext).toContain('<ChangeType><![CDATA[edit_external_contact]]></ChangeType>');
    expect((await t.api.get('externalcontact/get', { external_userid: id })).follow_user[0].remark).toBe(
      'VIP',
    );

    const deleted = await t.client.fire.delExternalContact({
      userid: 'zhangsan',
      external_userid: id,
      source: 'DELETE_BY_TRANSFER',
    });
    expect(deleted.plaintext).toContain('<Source><![CDATA[DELETE_BY_TRANSFER]]></Source>');
    expect((await t.api.get('externalcontact/get', { external_userid: id })).errcode).toBe(84061);

    const failed = await t.client.fire.transferFail({
      userid: 'zhangsan',
      external_userid: id,
      fail_reason: 'customer_refused',
    });
    expect(failed.plaintext).toContain('<FailReason><![CDATA[customer_refused]]></FailReason>');
  });
});
