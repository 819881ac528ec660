import { describe, expect, it } from 'vitest';
import type { QuickReply } from '../../shared/quick-replies.js';
import {
  contactTypeBadge,
  couponExpiring,
  intentBadge,
  interactionGap,
  lifecycleBadge,
  staffNames,
  timeLeft,
} from '../../sidebar/src/logic/customer.js';
import { noteInput } from '../../sidebar/src/logic/notes.js';
import {
  chatMessageFor,
  matchesQuery,
  missingHint,
  renderLocally,
} from '../../sidebar/src/logic/quick-replies.js';
import { editorGroups, myTagIds, tagDiff } from '../../sidebar/src/logic/tags.js';
import { MarkSentError, sendTask } from '../../sidebar/src/logic/task-actions.js';
import { bucketTasks, dueText, highlightedTaskId, replaceTask } from '../../sidebar/src/logic/tasks.js';
import type { ChatMessage } from '../../sidebar/src/wecom/types.js';

const HOUR = 3_600_000;

describe('customer badges', () => {
  it('names lifecycle stages in Chinese', () => {
    expect(
      ['new', 'active', 'silent', 'churn_risk', 'lost'].map((s) => lifecycleBadge(s as 'new').label),
    ).toEqual(['新客', '活跃', '沉默', '流失风险', '已流失']);
  });

  it('turns the intent score into 高/中/低', () => {
    expect(intentBadge(9.5).level).toBe('高');
    expect(intentBadge(6).level).toBe('高');
    expect(intentBadge(3).level).toBe('中');
    expect(intentBadge(1.2).level).toBe('低');
    expect(intentBadge(0).level).toBe('低');
  });

  it('badges WeChat and WeCom contacts', () => {
    expect(contactTypeBadge('wechat')).toEqual({ label: '微信', wecom: false });
    expect(contactTypeBadge('wecom')).toEqual({ label: '企业微信', wecom: true });
    expect(contactTypeBadge(null)).toBeNull();
  });

  it('flags coupons with less than 24 h left', () => {
    const now = new Date('2026-03-06T04:00:00Z');
    const at = (h: number) => new Date(now.getTime() + h * HOUR).toISOString();
    expect(couponExpiring(at(23.9), now)).toBe(true);
    expect(couponExpiring(at(24.1), now)).toBe(false);
    expect(couponExpiring(at(-1), now)).toBe(false);
    expect(timeLeft(at(5.5), now)).toBe('还剩 5 小时');
    expect(timeLeft(at(0.25), now)).toBe('还剩 15 分钟');
    expect(timeLeft(at(50), now)).toBe('还剩 2 天');
  });

  it('says how long since the last interaction', () => {
    const now = new Date('2026-03-06T04:00:00Z');
    expect(interactionGap(null, now)).toBe('—');
    expect(interactionGap('2026-03-06T01:00:00Z', now)).toBe('今天');
    expect(interactionGap('2026-02-24T04:00:00Z', now)).toBe('10 天');
  });

  it('resolves staff names from followers and me', () => {
    const name = staffNames(
      { followers: [{ userid: 'lisi', name: '李四' } as never, { userid: 'x', name: '' } as never] },
      { userid: 'zhangsan', name: '张三' },
    );
    expect([name('lisi'), name('zhangsan'), name('x')]).toEqual(['李四', '张三', 'x']);
  });
});

const reply = (over: Partial<QuickReply>): QuickReply => ({
  id: 1,
  groupName: '促单',
  title: '券到期提醒',
  kind: 'text',
  content: '{{name}}您好，我是{{staffName}}，您的{{coupon}}（{{couponValue}}元）快到期啦',
  linkUrl: null,
  linkTitle: null,
  linkImageUrl: null,
  variables: ['name', 'staffName', 'coupon', 'couponValue'],
  sortOrder: 0,
  timesSent: 0,
  createdBy: 'boss',
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
  ...over,
});

describe('quick replies', () => {
  it('fills variables locally and lists what was missing', () => {
    const r = renderLocally(reply({}), { name: '各位', staffName: '张三' });
    expect(r.rendered.content).toBe('各位您好，我是张三，您的（元）快到期啦');
    expect(r.missing).toEqual(['coupon', 'couponValue']);
    expect(missingHint(r)).toBe('缺少：优惠券、券面额');
    expect(missingHint(renderLocally(reply({ content: 'hi', variables: [] }), {}))).toBe('');
  });

  it('builds the chat message per kind', () => {
    const text = renderLocally(reply({}), {
      name: '王小美',
      staffName: '张三',
      coupon: '满300减50',
      couponValue: '50',
    });
    expect(chatMessageFor(text)).toEqual<ChatMessage>({
      msgtype: 'text',
      text: { content: '王小美您好，我是张三，您的满300减50（50元）快到期啦' },
    });
    const link = renderLocally(
      reply({
        kind: 'link',
        content: '{{name}}专享',
        linkUrl: 'https://shop.example/x',
        linkTitle: '新品 {{name}}',
        linkImageUrl: 'https://shop.example/x.png',
        variables: ['name'],
      }),
      { name: '王小美' },
    );
    expect(chatMessageFor(link)).toEqual<ChatMessage>({
      msgtype: 'news',
      news: {
        link: 'https://shop.example/x',
        title: '新品 王小美',
        desc: '王小美专享',
        imgUrl: 'https://shop.example/x.png',
      },
    });
  });

  it('searches title, content and group', () => {
    const r = reply({});
    expect(matchesQuery(r, '')).toBe(true);
    expect(matchesQuery(r, '到期')).toBe(true);
    expect(matchesQuery(r, '促单')).toBe(true);
    expect(matchesQuery(r, '生日')).toBe(false);
  });
});

describe('tasks', () => {
  const now = new Date('2026-03-06T04:00:00Z'); // 12:00 Shanghai
  const at = (h: number) => new Date(now.getTime() + h * HOUR).toISOString();
  const t = (id: number, dueInHours: number, status: 'pending' | 'sent' = 'pending') => ({
    id,
    status,
    dueAt: at(dueInHours),
  });

  it('buckets overdue, today (Shanghai) and later, soonest first', () => {
    const b = bucketTasks([t(1, 30), t(2, -1), t(3, 11.5), t(4, 2), t(5, -5), t(6, 1, 'sent')], now);
    expect(b.overdue.map((x) => x.id)).toEqual([5, 2]);
    expect(b.today.map((x) => x.id)).toEqual([4, 3]); // 23:30 is still today in Shanghai
    expect(b.later.map((x) => x.id)).toEqual([1]);
    expect(b.closed.map((x) => x.id)).toEqual([6]);
  });

  it('says when a task is due', () => {
    expect(dueText({ status: 'pending', dueAt: at(2) }, now)).toEqual({ text: '截止 14:00', overdue: false });
    expect(dueText({ status: 'pending', dueAt: at(20) }, now)).toEqual({
      text: '截止 明天 08:00',
      overdue: false,
    });
    expect(dueText({ status: 'pending', dueAt: at(-3) }, now)).toEqual({
      text: '已逾期 3 小时',
      overdue: true,
    });
    expect(dueText({ status: 'pending', dueAt: at(-50) }, now)).toEqual({
      text: '已逾期 2 天',
      overdue: true,
    });
  });

  it('reads the highlighted id of /tasks/:id', () => {
    expect(highlightedTaskId('12')).toBe(12);
    expect(highlightedTaskId(['7'])).toBe(7);
    expect(highlightedTaskId(undefined)).toBeUndefined();
    expect(highlightedTaskId('abc')).toBeUndefined();
    expect(
      replaceTask(
        [
          { id: 1, v: 'a' },
          { id: 2, v: 'b' },
        ],
        { id: 2, v: 'c' },
      ),
    ).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'c' },
    ]);
  });

  it('sends into the chat first and marks sent only after', async () => {
    const steps: string[] = [];
    const adapter = {
      sendChatMessage: async (m: ChatMessage) => {
        steps.push(`send:${m.msgtype === 'text' ? m.text.content : ''}`);
      },
    };
    const markSent = async (id: number) => {
      steps.push(`mark:${id}`);
      return { id, status: 'sent' } as never;
    };
    await sendTask({ id: 9, message: '您好' }, { getAdapter: async () => adapter, markSent });
    expect(steps).toEqual(['send:您好', 'mark:9']);

    steps.length = 0;
    const cancelled = { sendChatMessage: async () => Promise.reject(new Error('sendChatMessage:cancel')) };
    await expect(
      sendTask({ id: 9, message: 'x' }, { getAdapter: async () => cancelled, markSent }),
    ).rejects.toThrow('cancel');
    expect(steps).toEqual([]);

    const failing = async () => Promise.reject(new Error('503'));
    const err = await sendTask(
      { id: 9, message: 'x' },
      { getAdapter: async () => adapter, markSent: failing },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarkSentError);
  });
});

describe('notes', () => {
  const now = new Date('2026-03-06T04:00:00Z');

  it('builds the POST body with follow status and a Shanghai remind time', () => {
    expect(
      noteInput({ text: '  回访了  ', followStatus: '已沟通', remindLocal: '2026-03-07T09:30' }, now),
    ).toEqual({
      ok: true,
      input: { text: '回访了', followStatus: '已沟通', remindAt: '2026-03-07T01:30:00.000Z' },
    });
    expect(noteInput({ text: '回访了' }, now)).toEqual({ ok: true, input: { text: '回访了' } });
  });

  it('refuses what the server would refuse, in words', () => {
    expect(noteInput({ text: '  ' }, now)).toEqual({ ok: false, message: '请填写跟进内容' });
    expect(noteInput({ text: 'x', remindLocal: '2026-03-06T11:00' }, now)).toEqual({
      ok: false,
      message: '提醒时间要晚于现在',
    });
    expect(noteInput({ text: 'x', remindLocal: '2028-03-06T11:00' }, now)).toMatchObject({ ok: false });
  });
});

describe('tag editor', () => {
  const tagGroups = [
    {
      groupId: 'g1',
      groupName: '客户等级',
      tags: [
        { tagId: 't-vip', name: 'VIP', mine: true, taggedBy: ['zhangsan'] },
        { tagId: 't-live', name: '直播', mine: false, taggedBy: ['lisi'] },
        { tagId: 't-gone', name: '旧标签', mine: true, taggedBy: ['zhangsan'] },
      ],
    },
  ];

  it('edits only my own tags and sends the difference', () => {
    expect(myTagIds(tagGroups)).toEqual(['t-vip', 't-gone']);
    expect(tagDiff(['t-vip', 't-gone'], ['t-vip', 't-intent'])).toEqual({
      add: ['t-intent'],
      remove: ['t-gone'],
    });
    expect(tagDiff(['a'], ['a'])).toEqual({ add: [], remove: [] });
  });

  it('keeps tags deleted from the catalogue removable', () => {
    const catalogue = {
      groups: [{ groupId: 'g1', name: '客户等级', tags: [{ tagId: 't-vip', name: 'VIP' }] }],
    };
    expect(editorGroups(catalogue, tagGroups).map((g) => [g.name, g.tags.map((t) => t.tagId)])).toEqual([
      ['客户等级', ['t-vip']],
      ['已删除的标签', ['t-gone']],
    ]);
  });
});
