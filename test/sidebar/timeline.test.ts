import { describe, expect, it } from 'vitest';
import { TIMELINE_KINDS, type TimelineEntry } from '../../shared/timeline.js';
import { appendPage, groupByDay, timelineLine } from '../../sidebar/src/logic/timeline.js';

const staff: Record<string, string> = { zhangsan: '张三', lisi: '李四' };
const ctx = { staffName: (u: string) => staff[u] ?? u };
const line = (kind: TimelineEntry['kind'], data: Record<string, unknown>, actor = 'system') =>
  timelineLine({ kind, actor, data }, ctx);

describe('timelineLine', () => {
  it('reads orders, refunds and coupons with money', () => {
    expect(line('order_paid', { orderId: 'o-1', amountFen: 19900, itemCount: 3 }, 'customer').text).toBe(
      '下单 ¥199.00（3 件）',
    );
    expect(line('order_paid', { orderId: 'o-1', amountFen: 19900, itemCount: 0 }).text).toBe('下单 ¥199.00');
    expect(line('order_refunded', { orderId: 'o-2', amountFen: 5000 })).toMatchObject({
      text: '退款 ¥50.00',
      tone: 'danger',
      detail: '订单号 o-2',
    });
    expect(
      line('coupon_issued', { name: '满300减50', valueFen: 5000, expiresAt: '2026-03-06T01:30:00Z' }),
    ).toMatchObject({ text: '获得优惠券「满300减50」 ¥50.00', detail: '2026-03-06 09:30 到期' });
    expect(line('coupon_used', { name: '新人券' }).text).toBe('使用了优惠券「新人券」');
    expect(line('coupon_expired', { name: '过期券' }).text).toBe('优惠券「过期券」已过期');
  });

  it('names the staff member for contact and tag events', () => {
    expect(line('tag_added', { tagId: 't1', tagName: '高意向', userid: 'zhangsan' }, 'zhangsan').text).toBe(
      '张三 添加标签「高意向」',
    );
    expect(line('tag_removed', { tagId: 't1', tagName: 'VIP', userid: 'lisi' }, 'lisi').text).toBe(
      '李四 移除标签「VIP」',
    );
    expect(line('contact_deleted_by_customer', { userid: 'lisi' }, 'customer')).toMatchObject({
      text: '客户删除了 李四（单删）',
      tone: 'danger',
    });
    expect(line('contact_deleted_by_staff', { userid: 'zhangsan' }, 'zhangsan').text).toBe('张三 删除了客户');
    expect(
      line('contact_added', { userid: 'zhangsan', state: 'live0618', half: false }, 'zhangsan').text,
    ).toBe('张三 添加了客户（渠道 live0618）');
    expect(line('contact_added', { userid: 'zhangsan', state: null, half: true }, 'zhangsan').text).toBe(
      '客户添加了 张三，待通过',
    );
    expect(line('contact_edited', { userid: 'zhangsan', remark: '老客户' }, 'zhangsan').text).toBe(
      '张三 修改备注为「老客户」',
    );
    expect(
      line('contact_transferred', { userid: 'wangwu', failed: true, reason: 'customer_refused' }).text,
    ).toBe('转接给 wangwu 失败');
  });

  it('reads groups, behaviour and notes', () => {
    expect(line('group_joined', { chatId: 'c', groupName: '会员福利群' }).text).toBe(
      '加入群聊「会员福利群」',
    );
    expect(line('group_left', { chatId: 'c', groupName: '' }).text).toBe('退出群聊「未命名群」');
    expect(line('behavior', { eventKind: 'product_view', data: { productName: '保温杯' } }).text).toBe(
      '浏览商品「保温杯」',
    );
    expect(line('behavior', { eventKind: 'cart_add', data: {} })).toMatchObject({
      text: '加入购物车',
      icon: 'cart',
    });
    expect(line('behavior', { eventKind: 'mystery', data: {} }).text).toBe('mystery');
    const note = line(
      'note',
      {
        userid: 'zhangsan',
        text: '客户想要红色款',
        followStatus: '待回访',
        remindAt: '2026-03-06T01:30:00Z',
      },
      'zhangsan',
    );
    expect(note.text).toBe('张三 添加跟进（待回访）');
    expect(note.detail).toBe('客户想要红色款\n提醒：2026-03-06 09:30');
  });

  it('reads SOP events', () => {
    expect(line('sop_task_created', { ruleName: '优惠券到期提醒', userid: 'zhangsan' }).text).toBe(
      'SOP「优惠券到期提醒」生成任务，待 张三 发送',
    );
    expect(
      line(
        'sop_message_sent',
        { ruleName: '高意向客户优惠跟进', userid: 'zhangsan', message: '您好～' },
        'zhangsan',
      ),
    ).toMatchObject({ text: '张三 发送了 SOP「高意向客户优惠跟进」消息', detail: '您好～', tone: 'success' });
    expect(
      line('sop_task_skipped', { ruleName: '流失召回', userid: 'lisi', reason: '客户明确拒绝' }, 'lisi'),
    ).toMatchObject({
      text: '李四 跳过了 SOP「流失召回」',
      detail: '原因：客户明确拒绝',
    });
    expect(line('sop_task_skipped', { ruleName: '流失召回', reason: 'frequency_cap' }).text).toBe(
      'SOP「流失召回」未触达：触达频次已达上限',
    );
  });

  it('has a line for every kind of the vocabulary, even with empty data', () => {
    for (const kind of TIMELINE_KINDS) {
      const l = line(kind, {});
      expect(l.text, kind).not.toBe('');
      expect(l.text, kind).not.toContain('undefined');
      expect(l.icon, kind).toBeTruthy();
    }
  });
});

describe('groupByDay', () => {
  const now = new Date('2026-03-06T04:00:00Z'); // 12:00 Shanghai
  const entry = (id: string, occurredAt: string) => ({ id, occurredAt });

  it('groups newest-first entries by Shanghai day with 今天/昨天 labels and HH:mm', () => {
    const days = groupByDay(
      [
        entry('4', '2026-03-06T03:00:00Z'), // 11:00 today
        entry('3', '2026-03-05T16:30:00Z'), // 00:30 today
        entry('2', '2026-03-05T15:30:00Z'), // 23:30 yesterday (UTC says the 5th for both)
        entry('1', '2026-03-01T02:00:00Z'),
      ],
      now,
    );
    expect(days.map((d) => [d.day, d.label, d.entries.map((e) => `${e.id}@${e.time}`)])).toEqual([
      ['2026-03-06', '今天', ['4@11:00', '3@00:30']],
      ['2026-03-05', '昨天', ['2@23:30']],
      ['2026-03-01', '3月1日', ['1@10:00']],
    ]);
  });

  it('appends a page without repeating entries already shown', () => {
    const shown = [entry('3', 'a'), entry('2', 'b')];
    expect(appendPage(shown, [entry('2', 'b'), entry('1', 'c')]).map((e) => e.id)).toEqual(['3', '2', '1']);
  });
});
