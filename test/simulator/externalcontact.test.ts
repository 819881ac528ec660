import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from './fixture.js';

let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(async () => {
  await t.sim.close();
});
beforeEach(async () => {
  await t.client.reset();
  await t.client.addStaff({ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' });
  await t.api.login();
});

async function pageAll(userids: string[], limit: number) {
  const seen: string[] = [];
  let cursor = '';
  let pages = 0;
  do {
    const answer = await t.api.post('externalcontact/batch/get_by_user', {
      userid_list: userids,
      cursor,
      limit,
    });
    expect(answer.errcode).toBe(0);
    expect(answer.external_contact_list.length).toBeLessThanOrEqual(limit);
    for (const item of answer.external_contact_list) {
      seen.push(`${item.follow_info.userid}/${item.external_contact.external_userid}`);
    }
    cursor = answer.next_cursor;
    pages++;
  } while (cursor !== '');
  return { seen, pages };
}

describe('externalcontact/batch/get_by_user', () => {
  it('pages through 250 customers of two staff members with a cursor', async () => {
    const customers = Array.from({ length: 250 }, (_, i) => ({
      name: `客户${i}`,
      follow_users: [{ userid: i % 2 === 0 ? 'zhangsan' : 'lisi', remark: `r${i}` }],
    }));
    const ids = await t.client.addCustomers(customers);
    expect(new Set(ids).size).toBe(250);

    const { seen, pages } = await pageAll(['zhangsan', 'lisi'], 100);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen.slice(0, 125).every((s) => s.startsWith('zhangsan/'))).toBe(true);

    const first = await t.api.post('externalcontact/batch/get_by_user', {
      userid_list: ['zhangsan'],
      limit: 1,
    });
    expect(first.external_contact_list[0]).toMatchObject({
      external_contact: { external_userid: ids[0], name: '客户0', type: 1 },
      follow_info: { userid: 'zhangsan', remark: 'r0', tag_id: [] },
    });
  });

  it('skips deleted relations and rejects limits over 100', async () => {
    const ids = await t.client.generateCustomers({ count: 10, userids: ['zhangsan'] });
    t.sim.state.contacts.removeFollow('zhangsan', ids[3] ?? '');
    const { seen } = await pageAll(['zhangsan'], 3);
    expect(seen).toHaveLength(9);
    expect(
      (await t.api.post('externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], limit: 101 }))
        .errcode,
    ).toBe(40058);
  });

  it('walks 100k customers created in bulk', async () => {
    const ids = await t.client.generateCustomers({ count: 100_000, userids: ['zhangsan', 'lisi'] });
    expect(ids).toHaveLength(100_000);
    const { seen, pages } = await pageAll(['lisi'], 100);
    expect(pages).toBe(500);
    expect(new Set(seen).size).toBe(50_000);
  }, 60_000);
});

describe('externalcontact/get and mark_tag', () => {
  it('returns the customer with follow_user tags and applies mark_tag', async () => {
    const [group] = await t.client.upsertTagGroups({
      group_name: '意向',
      tags: [{ name: '高意向' }, { name: '低意向' }],
    });
    const high = group?.tag[0]?.id ?? '';
    const low = group?.tag[1]?.id ?? '';
    const id = await t.client.addCustomer({
      name: '王小明',
      gender: 1,
      unionid: 'ou_1',
      follow_users: [{ userid: 'zhangsan', tag_ids: [low], state: 'qr_spring', add_way: 1 }],
    });

    const before = await t.api.get('externalcontact/get', { external_userid: id });
    expect(before).toMatchObject({
      errcode: 0,
      external_contact: { external_userid: id, name: '王小明', gender: 1, unionid: 'ou_1' },
      follow_user: [
        {
          userid: 'zhangsan',
          state: 'qr_spring',
          tags: [{ group_name: '意向', tag_name: '低意向', tag_id: low, type: 1 }],
        },
      ],
    });

    const marked = await t.api.post('externalcontact/mark_tag', {
      userid: 'zhangsan',
      external_userid: id,
      add_tag: [high],
      remove_tag: [low],
    });
    expect(marked.errcode).toBe(0);
    const after = await t.api.get('externalcontact/get', { external_userid: id });
    expect(after.follow_user[0].tags.map((tag: { tag_id: string }) => tag.tag_id)).toEqual([high]);
    expect(await t.client.sent.markTags()).toMatchObject([
      { userid: 'zhangsan', external_userid: id, add_tag: [high], remove_tag: [low] },
    ]);
  });

  it('answers 40068 for an unknown tag and 84061 without a relation', async () => {
    const [group] = await t.client.upsertTagGroups({ group_name: 'g', tags: [{ name: 't' }] });
    const tag = group?.tag[0]?.id ?? '';
    const id = await t.client.addCustomer({ follow_users: [{ userid: 'zhangsan' }] });

    const badTag = await t.api.post('externalcontact/mark_tag', {
      userid: 'zhangsan',
      external_userid: id,
      add_tag: ['etDoesNotExist'],
    });
    expect(badTag.errcode).toBe(40068);
    const noRelation = await t.api.post('externalcontact/mark_tag', {
      userid: 'lisi',
      external_userid: id,
      add_tag: [tag],
    });
    expect(noRelation.errcode).toBe(84061);
    expect(await t.client.sent.markTags()).toEqual([]);
    expect((await t.api.get('externalcontact/get', { external_userid: 'wmnobody' })).errcode).toBe(40096);
  });

  it('manages corp tags through the API', async () => {
    const added = await t.api.post('externalcontact/add_corp_tag', {
      group_name: '会员等级',
      tag: [{ name: '金卡' }, { name: '银卡', order: 2 }],
    });
    expect(added.errcode).toBe(0);
    const groupId = added.tag_group.group_id;
    expect(added.tag_group.tag).toHaveLength(2);
    expect(
      (await t.api.post('externalcontact/add_corp_tag', { group_id: groupId, tag: [{ name: '金卡' }] }))
        .errcode,
    ).toBe(40071);
    const gold = added.tag_group.tag[0].id;
    expect((await t.api.post('externalcontact/edit_corp_tag', { id: gold, name: '黑金卡' })).errcode).toBe(0);
    const list = await t.api.post('externalcontact/get_corp_tag_list', {});
    expect(list.tag_group[0]).toMatchObject({ group_name: '会员等级', deleted: false });
    expect(list.tag_group[0].tag.map((tag: { name: string }) => tag.name)).toEqual(['黑金卡', '银卡']);
    expect((await t.api.post('externalcontact/del_corp_tag', { group_id: [groupId] })).errcode).toBe(0);
    expect((await t.api.post('externalcontact/get_corp_tag_list', {})).tag_group).toEqual([]);
  });

  it('lists follow users and a staff member’s customers', async () => {
    await t.client.addStaff({ userid: 'noperm', hasContactPermission: false });
    const ids = await t.client.generateCustomers({ count: 3, userids: ['lisi'] });
    expect((await t.api.get('externalcontact/get_follow_user_list')).follow_user).toEqual([
      'zhangsan',
      'lisi',
    ]);
    expect((await t.api.get('externalcontact/list', { userid: 'lisi' })).external_userid).toEqual(ids);
  });
});

describe('get_user_behavior_data', () => {
  it('gives deterministic data per day and honours overrides', async () => {
    const start = Math.floor(Date.parse('2025-03-01T00:00:00+08:00') / 1000);
    const body = { userid: ['zhangsan'], start_time: start, end_time: start + 2 * 86_400 };
    const first = await t.api.post('externalcontact/get_user_behavior_data', body);
    expect(first.behavior_data).toHaveLength(3);
    expect(first.behavior_data[0]).toEqual(
      expect.objectContaining({
        stat_time: start,
        chat_cnt: expect.any(Number),
        message_cnt: expect.any(Number),
        reply_percentage: expect.any(Number),
        avg_reply_time: expect.any(Number),
        negative_feedback_cnt: expect.any(Number),
        new_apply_cnt: expect.any(Number),
        new_contact_cnt: expect.any(Number),
      }),
    );
    expect((await t.api.post('externalcontact/get_user_behavior_data', body)).behavior_data).toEqual(
      first.behavior_data,
    );
    await t.client.setBehavior({
      userid: 'zhangsan',
      date: '2025-03-02',
      chat_cnt: 42,
      negative_feedback_cnt: 3,
    });
    const after = await t.api.post('externalcontact/get_user_behavior_data', body);
    expect(after.behavior_data[1]).toMatchObject({
      stat_time: start + 86_400,
      chat_cnt: 42,
      negative_feedback_cnt: 3,
    });
  });
});
