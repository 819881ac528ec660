import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSopDb, type SopDb } from '../support/sop-db.js';

const H = 3_600_000;
const D = 86_400_000;
/** 10:00 in Asia/Shanghai: outside quiet hours */
const NOW = new Date('2024-05-15T02:00:00Z');

let t: SopDb;

beforeAll(async () => {
  t = await openSopDb(NOW);
});
afterAll(async () => {
  await t?.close();
});

async function reset() {
  t.clock.set(NOW);
  await sql`TRUNCATE sop_tasks, sop_skips, timeline, behavior_events, orders, coupons, customer_tags,
    follow_relations, customers, settings RESTART IDENTITY CASCADE`.execute(t.db);
  await sql`UPDATE sop_rules SET enabled = true`.execute(t.db);
}

const taskCustomers = async (ruleId: number) => (await t.tasks(ruleId)).map((x) => x.external_userid).sort();

describe('coupon_expiry', () => {
  beforeEach(reset);

  it('reminds about unused coupons expiring within 24 h: 23 h yes, 25 h no; used or expired no', async () => {
    const rule = await t.ruleId('coupon_expiry');
    for (const id of ['c23', 'c25', 'cused', 'cgone']) await t.customer(id);
    await t.coupon('c23', 'cp-23', {
      expiresAt: new Date(NOW.getTime() + 23 * H),
      name: '满300减50',
      valueFen: 5000,
    });
    await t.coupon('c25', 'cp-25', { expiresAt: new Date(NOW.getTime() + 25 * H) });
    await t.coupon('cused', 'cp-used', { expiresAt: new Date(NOW.getTime() + 2 * H), usedAt: t.ago(H) });
    await t.coupon('cgone', 'cp-gone', { expiresAt: t.ago(H) });

    const result = await t.engine.runRule(rule);
    expect(result).toEqual({ matched: 1, created: 1, capped: 0, skipped: 0 });
    const [task] = await t.tasks(rule);
    expect(task).toMatchObject({
      external_userid: 'c23',
      window_key: 'cp-23',
      status: 'pending',
      userid: 'zhangsan',
    });
    // the coupon's name, value and expiry (Asia/Shanghai) in the message, whichever variant
    expect(task!.message).toContain('满300减50');
    expect(task!.message).toContain('50元');
    expect(task!.message).toContain('05-16 09:00');

    // one reminder per coupon: a second run creates nothing
    expect(await t.engine.runRule(rule)).toEqual({ matched: 1, created: 0, capped: 0, skipped: 1 });
    // an hour later the 25 h coupon is exactly 24 h from expiry, and a second coupon of the same
    // customer gets its own reminder
    t.clock.advance(H);
    await t.coupon('c23', 'cp-23b', { expiresAt: new Date(NOW.getTime() + 20 * H) });
    expect(await t.engine.runRule(rule)).toEqual({ matched: 3, created: 2, capped: 0, skipped: 1 });
    expect((await t.tasks(rule)).map((x) => x.window_key).sort()).toEqual(['cp-23', 'cp-23b', 'cp-25']);
  });
});

describe('churn_risk', () => {
  beforeEach(async () => {
    await reset();
    await t.only('churn_risk');
  });

  /** a high-value lapse candidate whose interaction fell from 10 events to 0 */
  async function lapsed(
    id: string,
    c: { totalSpentFen: number; orderCount?: number; lastOrderDaysAgo: number },
  ) {
    await t.customer(id, {
      totalSpentFen: c.totalSpentFen,
      orderCount: c.orderCount ?? 1,
      lastOrderAt: t.ago(c.lastOrderDaysAgo * D),
      lastInteractionAt: t.ago(20 * D),
    });
    for (let i = 0; i < 10; i++) await t.event(id, 'product_view', t.ago(20 * D + i * H));
  }

  /** a high-value customer (AOV ¥900) whose last order was 40 days ago */
  const highValueLapse = (lastInteractionAt: Date) => ({
    totalSpentFen: 90_000,
    orderCount: 1,
    lastOrderAt: t.ago(40 * D),
    lastInteractionAt,
  });

  it('high value means AOV ≥ ¥800: ¥799 no, ¥800 yes (also as total / orders)', async () => {
    const rule = await t.ruleId('churn_risk');
    await lapsed('aov799', { totalSpentFen: 79_900, lastOrderDaysAgo: 35 });
    await lapsed('aov800', { totalSpentFen: 80_000, lastOrderDaysAgo: 35 });
    await lapsed('aov2x800', { totalSpentFen: 160_000, orderCount: 2, lastOrderDaysAgo: 35 });
    await lapsed('aov2x799', { totalSpentFen: 159_999, orderCount: 2, lastOrderDaysAgo: 35 });
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['aov2x800', 'aov800']);
    const task = (await t.tasks(rule))[0]!;
    expect(task.reason).toBe('interaction_drop');
    expect(task.window_key).toMatch(/^lapse:2024-04-10$/);
  });

  it('no order in 30 days: 29 days no, 30 days yes; beyond the watch window no', async () => {
    const rule = await t.ruleId('churn_risk');
    await lapsed('d29', { totalSpentFen: 90_000, lastOrderDaysAgo: 29 });
    await lapsed('d30', { totalSpentFen: 90_000, lastOrderDaysAgo: 30 });
    await lapsed('d61', { totalSpentFen: 90_000, lastOrderDaysAgo: 61 });
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['d30']);
  });

  it('interaction fell by 80%: 10 → 2 yes, 10 → 3 no, 0 → 0 no', async () => {
    const rule = await t.ruleId('churn_risk');
    const base = highValueLapse(t.ago(2 * D));
    for (const [id, recent] of [
      ['drop80', 2],
      ['drop70', 3],
    ] as const) {
      await t.customer(id, base);
      for (let i = 0; i < 10; i++) await t.event(id, 'product_view', t.ago(15 * D + i * H));
      for (let i = 0; i < recent; i++) await t.event(id, 'coupon_view', t.ago(2 * D + i * H));
    }
    await t.customer('never', { ...base, lastInteractionAt: t.ago(40 * D) });
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['drop80']);
  });

  it('interaction windows are whole Shanghai days, today included: 14 days back, then the 14 before', async () => {
    const rule = await t.ruleId('churn_risk');
    const base = highValueLapse(t.ago(D));
    // today is 2024-05-15 in Shanghai: the recent window is 05-02…05-15, the one before 04-18…05-01
    const firstPrevious = new Date('2024-04-17T16:00:00Z'); // 04-18 00:00 in Shanghai
    const beforePrevious = new Date('2024-04-17T15:59:00Z'); // 04-17 23:59
    const lastPrevious = new Date('2024-05-01T15:59:00Z'); // 05-01 23:59
    const firstRecent = new Date('2024-05-01T16:00:00Z'); // 05-02 00:00
    const cases: [string, Date[], Date[]][] = [
      // five events in the window before, one in the last 14 days: fell by 80%
      ['first-day-counts', Array(5).fill(firstPrevious), [firstRecent]],
      ['day-before-does-not', Array(5).fill(beforePrevious), [firstRecent]],
      [
        'last-previous-day',
        [...Array(5).fill(new Date('2024-04-20T02:00:00Z')), lastPrevious, lastPrevious],
        [],
      ],
      ['first-recent-day', Array(5).fill(new Date('2024-04-20T02:00:00Z')), [firstRecent, firstRecent]],
    ];
    for (const [id, previous, recent] of cases) {
      await t.customer(id, base);
      for (const at of [...previous, ...recent]) await t.event(id, 'product_view', at);
    }
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['first-day-counts', 'last-previous-day']);
  });

  it('member center on 3 consecutive Shanghai days without ordering; 2 days or a gap no', async () => {
    const rule = await t.ruleId('churn_risk');
    const base = highValueLapse(t.ago(H));
    await t.customer('streak3', base);
    await t.customer('streak2', base);
    await t.customer('gap', base);
    // days in Shanghai: 05-13, 05-14, 05-15 (23:30 Shanghai on 05-13 is 15:30Z)
    await t.event('streak3', 'member_center_visit', new Date('2024-05-13T15:30:00Z'));
    await t.event('streak3', 'member_center_visit', new Date('2024-05-14T03:00:00Z'));
    await t.event('streak3', 'member_center_visit', new Date('2024-05-15T01:00:00Z'));
    await t.event('streak2', 'member_center_visit', new Date('2024-05-14T03:00:00Z'));
    await t.event('streak2', 'member_center_visit', new Date('2024-05-15T01:00:00Z'));
    // 05-12 23:30 Shanghai, then 05-14 and 05-15: the UTC dates would be consecutive, Shanghai's are not
    await t.event('gap', 'member_center_visit', new Date('2024-05-12T15:30:00Z'));
    await t.event('gap', 'member_center_visit', new Date('2024-05-14T03:00:00Z'));
    await t.event('gap', 'member_center_visit', new Date('2024-05-15T01:00:00Z'));
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['streak3']);
    expect((await t.tasks(rule))[0]!.reason).toBe('member_center_streak');
  });

  it('silent for 90 days: 89 no, 90 yes, past the catch-up no; deleted salesperson no', async () => {
    const rule = await t.ruleId('churn_risk');
    await t.customer('s89', { lastInteractionAt: t.ago(89 * D) });
    await t.customer('s90', { lastInteractionAt: t.ago(90 * D) });
    await t.customer('s91', { lastInteractionAt: t.ago(91 * D) });
    await t.customer('s92', { lastInteractionAt: t.ago(92 * D) });
    await t.customer('sdel', { lastInteractionAt: t.ago(91 * D), follow: 'deleted_by_customer' });
    await t.customer('snone', { lastInteractionAt: t.ago(91 * D), follow: false });
    const result = await t.engine.runRule(rule);
    // the catch-up is 2 days: a silence of 92 days was for the scans of the two days before
    expect(await taskCustomers(rule)).toEqual(['s90', 's91']);
    expect(result).toEqual({ matched: 2, created: 2, capped: 0, skipped: 0 });
    expect((await t.tasks(rule)).map((x) => x.window_key).sort()).toEqual([
      'silent:2024-02-14',
      'silent:2024-02-15',
    ]);
    // a day later the same silences are the same occasions, and s89 has crossed the line
    t.clock.advance(D);
    expect(await t.engine.runRule(rule)).toEqual({ matched: 2, created: 1, capped: 0, skipped: 1 });
    expect(await taskCustomers(rule)).toEqual(['s89', 's90', 's91']);
  });

  it('a scan skips occasions answered lately and long ago, and customers in the cooldown', async () => {
    // a full scan drops what this rule's tasks of the last catchUpDays + 1 (3) days answered in bulk,
    // and finds older answers one by one: both must count the same
    const rule = await t.ruleId('churn_risk');
    await t.rules.update(rule, { cooldownDays: 5 });
    const ids = ['answeredOld', 'answeredNew', 'coolingOld', 'coolingNew', 'cooled', 'fresh'];
    for (const id of ids) await lapsed(id, { totalSpentFen: 90_000, lastOrderDaysAgo: 40 });
    const window = 'lapse:2024-04-05';
    await t.pastTask('answeredOld', rule, t.ago(10 * D), 'expired', window);
    await t.pastTask('answeredNew', rule, t.ago(1 * D), 'expired', window);
    await t.pastTask('coolingOld', rule, t.ago(4 * D), 'expired', 'silent:2024-01-01');
    await t.pastTask('coolingNew', rule, t.ago(2 * D), 'expired', 'silent:2024-01-02');
    await t.pastTask('cooled', rule, t.ago(6 * D), 'expired', 'silent:2024-01-03');
    expect(await t.engine.runRule(rule)).toEqual({ matched: 6, created: 2, capped: 0, skipped: 4 });
    const created = async () =>
      (await t.tasks(rule)).filter((x) => x.message !== 'earlier').map((x) => x.external_userid);
    expect(await created()).toEqual(['cooled', 'fresh']);
    // a cooldown shorter than that span: a recent task of another occasion no longer holds one back
    await t.rules.update(rule, { cooldownDays: 1 });
    await lapsed('pastCooldown', { totalSpentFen: 90_000, lastOrderDaysAgo: 40 });
    await t.pastTask('pastCooldown', rule, t.ago(2 * D), 'expired', 'silent:2024-01-04');
    expect(await t.engine.runRule(rule)).toEqual({ matched: 7, created: 3, capped: 0, skipped: 4 });
    expect((await created()).slice(2).sort()).toEqual(['coolingNew', 'coolingOld', 'pastCooldown']);
  });

  it('assigns the most recent active salesperson', async () => {
    const rule = await t.ruleId('churn_risk');
    await t.customer('multi', { lastInteractionAt: t.ago(90 * D), staff: 'old', addedAt: t.ago(300 * D) });
    await t.follow('multi', 'newer', t.ago(100 * D));
    await t.follow('multi', 'newest-gone', t.ago(10 * D), 'deleted_by_staff');
    await t.engine.runRule(rule);
    expect((await t.tasks(rule))[0]!.userid).toBe('newer');
  });
});

describe('high_intent', () => {
  beforeEach(async () => {
    await reset();
    await t.only('high_intent');
  });

  it('3 product views within 72 h yes; 2, or the third older than 72 h, no', async () => {
    const rule = await t.ruleId('high_intent');
    for (const id of ['v3', 'v2', 'vold']) await t.customer(id);
    for (const h of [0.2, 30, 71]) await t.event('v3', 'product_view', t.ago(h * H));
    for (const h of [0.2, 30]) await t.event('v2', 'product_view', t.ago(h * H));
    for (const h of [0.2, 30, 73]) await t.event('vold', 'product_view', t.ago(h * H));
    expect(await t.engine.evaluateCustomers(['v3', 'v2', 'vold'])).toMatchObject({ matched: 1, created: 1 });
    const [task] = await t.tasks(rule);
    expect(task).toMatchObject({
      external_userid: 'v3',
      reason: 'product_views',
      window_key: 'd:2024-05-15',
    });
    // the scheduled scan finds the same customer and creates nothing twice
    expect(await t.engine.runRule(rule)).toMatchObject({ matched: 1, created: 0, skipped: 1 });
  });

  it('a cart add not followed by an order within 24 h: 24¼ h yes, 23 h not yet, ordered no', async () => {
    const rule = await t.ruleId('high_intent');
    for (const id of ['cart24', 'cart23', 'cartpaid']) await t.customer(id);
    await t.event('cart24', 'cart_add', t.ago(24.25 * H));
    await t.event('cart23', 'cart_add', t.ago(23 * H));
    await t.event('cartpaid', 'cart_add', t.ago(24.25 * H));
    await t.order('cartpaid', 'o-cp', 10_000, t.ago(20 * H));
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['cart24']);
    expect((await t.tasks(rule))[0]!.reason).toBe('cart_abandoned');
    // the delayed evaluation after the 23 h cart add's window, even when the queue ran late
    t.clock.advance(3 * H);
    await t.engine.evaluateCustomers(['cart23']);
    expect(await taskCustomers(rule)).toEqual(['cart23', 'cart24']);
  });

  it('the 高意向 tag added: evaluated on the tag, still carried', async () => {
    const rule = await t.ruleId('high_intent');
    await t.customer('tagged');
    await t.tag('tagged', 'zhangsan', '高意向', t.ago(5 * 60_000));
    await t.customer('othertag');
    await t.tag('othertag', 'zhangsan', 'VIP', t.ago(5 * 60_000));
    await t.engine.runRule(rule);
    expect(await taskCustomers(rule)).toEqual(['tagged']);
    expect((await t.tasks(rule))[0]!.reason).toBe('tag');
  });

  it('window keys are Asia/Shanghai days: 00:30 on the 15th in Shanghai is the 15th', async () => {
    t.clock.set(new Date('2024-05-14T16:30:00Z'));
    const rule = await t.ruleId('high_intent');
    await t.customer('late');
    for (const h of [1, 2, 3]) await t.event('late', 'product_view', t.ago(h * H));
    await t.engine.evaluateCustomers(['late']);
    expect((await t.tasks(rule))[0]!.window_key).toBe('d:2024-05-15');
  });

  it('honours the rule’s cooldown: 2 days after a task skipped, 4 days after created', async () => {
    const rule = await t.ruleId('high_intent'); // cooldown 3 days
    await t.customer('cool2');
    await t.customer('cool4');
    await t.pastTask('cool2', rule, t.ago(2 * D), 'sent');
    await t.pastTask('cool4', rule, t.ago(4 * D), 'sent');
    for (const id of ['cool2', 'cool4'])
      for (const h of [1, 2, 3]) await t.event(id, 'product_view', t.ago(h * H));
    expect(await t.engine.evaluateCustomers(['cool2', 'cool4'])).toEqual({
      matched: 2,
      created: 1,
      capped: 0,
      skipped: 1,
    });
    expect(
      (await t.tasks(rule)).filter((x) => x.message !== 'earlier').map((x) => x.external_userid),
    ).toEqual(['cool4']);
  });

  it('applies the audience: required and excluded tags, staff, lifecycle stage, channel', async () => {
    const rule = await t.ruleId('high_intent');
    await t.rules.update(rule, {
      audience: { excludedTagIds: ['t-黑名单'], lifecycleStages: ['active'], channelStates: ['live0618'] },
    });
    await t.customer('fits', { state: 'live0618' });
    await t.customer('blocked', { state: 'live0618' });
    await t.tag('blocked', 'zhangsan', '黑名单', t.ago(D));
    await t.customer('otherchannel', { state: 'ad' });
    await t.customer('lost', { state: 'live0618', lifecycleStage: 'silent' });
    const ids = ['fits', 'blocked', 'otherchannel', 'lost'];
    for (const id of ids) for (const h of [1, 2, 3]) await t.event(id, 'product_view', t.ago(h * H));
    await t.engine.evaluateCustomers(ids);
    expect(await taskCustomers(rule)).toEqual(['fits']);
    await t.rules.update(rule, {
      audience: { excludedTagIds: [], lifecycleStages: [], channelStates: [], staffUserids: ['lisi'] },
    });
    t.clock.advance(4 * D);
    for (const id of ids) for (const h of [1, 2, 3]) await t.event(id, 'product_view', t.ago(h * H));
    expect(await t.engine.evaluateCustomers(ids)).toMatchObject({ matched: 0 });
  });
});
