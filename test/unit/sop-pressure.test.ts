import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putSetting } from '../../server/repositories/settings.js';
import { dueAfter, isQuiet } from '../../server/services/sop/pressure.js';
import { pickVariant } from '../../server/services/sop/variants.js';
import { renderTemplate, SOP_PRESSURE_SETTING } from '../../shared/sop.js';
import { openSopDb, type SopDb } from '../support/sop-db.js';

const H = 3_600_000;
const D = 86_400_000;
const NOW = new Date('2024-05-15T02:00:00Z'); // 10:00 Asia/Shanghai
const QUIET = { start: '21:00', end: '09:00' };
/** an instant given in Asia/Shanghai wall-clock time */
const sh = (local: string) => new Date(`${local}+08:00`);

describe('quiet hours (21:00–09:00 Asia/Shanghai)', () => {
  it('starts at 21:00 and ends at 09:00: 20:59 and 09:00 are not quiet, 21:00 and 08:59 are', () => {
    expect(isQuiet(sh('2024-05-15T20:59:00'), QUIET)).toBe(false);
    expect(isQuiet(sh('2024-05-15T21:00:00'), QUIET)).toBe(true);
    expect(isQuiet(sh('2024-05-16T03:00:00'), QUIET)).toBe(true);
    expect(isQuiet(sh('2024-05-16T08:59:00'), QUIET)).toBe(true);
    expect(isQuiet(sh('2024-05-16T09:00:00'), QUIET)).toBe(false);
    expect(isQuiet(sh('2024-05-16T03:00:00'), null)).toBe(false);
  });

  it('moves due times past the quiet window, counting only time outside it', () => {
    expect(dueAfter(sh('2024-05-15T20:59:00'), 240, QUIET)).toEqual(sh('2024-05-16T12:59:00'));
    expect(dueAfter(sh('2024-05-15T21:00:00'), 240, QUIET)).toEqual(sh('2024-05-16T13:00:00'));
    expect(dueAfter(sh('2024-05-16T08:59:00'), 240, QUIET)).toEqual(sh('2024-05-16T13:00:00'));
    expect(dueAfter(sh('2024-05-16T09:00:00'), 240, QUIET)).toEqual(sh('2024-05-16T13:00:00'));
    expect(dueAfter(sh('2024-05-16T17:00:00'), 240, QUIET)).toEqual(sh('2024-05-16T21:00:00'));
    // 12 working hours a day: 30 hours of work span two quiet nights
    expect(dueAfter(sh('2024-05-16T09:00:00'), 30 * 60, QUIET)).toEqual(sh('2024-05-18T15:00:00'));
    expect(dueAfter(sh('2024-05-16T23:00:00'), 60, null)).toEqual(sh('2024-05-17T00:00:00'));
    // a window that does not wrap midnight
    expect(dueAfter(sh('2024-05-16T11:30:00'), 60, { start: '12:00', end: '13:00' })).toEqual(
      sh('2024-05-16T13:30:00'),
    );
  });
});

describe('contact pressure in scans', () => {
  let t: SopDb;
  beforeAll(async () => {
    t = await openSopDb(NOW);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    t.clock.set(NOW);
    await sql`TRUNCATE sop_tasks, sop_skips, timeline, behavior_events, orders, coupons, customer_tags,
      follow_relations, customers, settings RESTART IDENTITY CASCADE`.execute(t.db);
    await sql`UPDATE sop_rules SET enabled = true`.execute(t.db);
  });

  const expiring = (id: string, couponId = `cp-${id}`, inHours = 5) =>
    t.coupon(id, couponId, { expiresAt: new Date(t.clock.now().getTime() + inHours * H) });

  it('caps SOP messages per customer at 2 in 7 days across rules: 1 before → sent, 2 → held back', async () => {
    const coupon = await t.ruleId('coupon_expiry');
    const other = await t.ruleId('high_intent');
    for (const id of ['one', 'two', 'old', 'skippedbefore']) {
      await t.customer(id);
      await expiring(id);
    }
    await t.pastTask('one', other, t.ago(D), 'sent');
    await t.pastTask('two', other, t.ago(D), 'sent');
    await t.pastTask('two', other, t.ago(6 * D), 'pending');
    await t.pastTask('old', other, t.ago(8 * D), 'sent');
    await t.pastTask('old', other, t.ago(8 * D), 'sent');
    await t.pastTask('skippedbefore', other, t.ago(D), 'skipped');
    await t.pastTask('skippedbefore', other, t.ago(D), 'expired');

    expect(await t.engine.runRule(coupon)).toEqual({ matched: 4, created: 3, capped: 1, skipped: 0 });
    expect((await t.tasks(coupon)).map((x) => x.external_userid).sort()).toEqual([
      'old',
      'one',
      'skippedbefore',
    ]);
    const skips = await t.db.selectFrom('sop_skips').selectAll().execute();
    expect(skips).toMatchObject([
      {
        rule_id: coupon,
        external_userid: 'two',
        window_key: 'cp-two',
        reason: 'frequency_cap',
        userid: 'zhangsan',
      },
    ]);
    const logged = await t.db
      .selectFrom('timeline')
      .select(['external_userid', 'kind', 'data'])
      .where('kind', '=', 'sop_task_skipped')
      .execute();
    expect(logged).toMatchObject([
      { external_userid: 'two', data: { reason: 'frequency_cap', ruleId: coupon } },
    ]);

    // a second scan records the held-back match once, not again
    expect(await t.engine.runRule(coupon)).toEqual({ matched: 4, created: 0, capped: 1, skipped: 3 });
    expect(await t.db.selectFrom('sop_skips').select('id').execute()).toHaveLength(1);

    // with the cap raised to 3 the held-back reminder goes out on the next run
    await putSetting(t.db, SOP_PRESSURE_SETTING, { maxMessages: 3 }, t.clock.now());
    expect(await t.engine.runRule(coupon)).toMatchObject({ created: 1, capped: 0 });
  });

  it('counts the tasks a scan creates itself: three expiring coupons, cap 2 → 2 reminders', async () => {
    const coupon = await t.ruleId('coupon_expiry');
    await t.customer('many');
    for (const n of [1, 2, 3]) await expiring('many', `cp-many-${n}`, n);
    expect(await t.engine.runRule(coupon)).toEqual({ matched: 3, created: 2, capped: 1, skipped: 0 });
    expect((await t.tasks(coupon)).map((x) => x.window_key)).toEqual(['cp-many-1', 'cp-many-2']);
  });

  it('creates tasks in quiet hours but dates them past the window', async () => {
    const coupon = await t.ruleId('coupon_expiry'); // due 240 minutes
    t.clock.set(sh('2024-05-15T21:00:00'));
    await t.customer('night');
    await expiring('night');
    await t.engine.runRule(coupon);
    expect((await t.tasks(coupon))[0]!.due_at).toEqual(sh('2024-05-16T13:00:00'));
  });

  it('never exceeds the cap or duplicates a task when scans race', async () => {
    await putSetting(t.db, SOP_PRESSURE_SETTING, { maxMessages: 1 }, t.clock.now());
    const ids = Array.from({ length: 30 }, (_, i) => `race${i}`);
    for (const id of ids) {
      await t.customer(id, { lastInteractionAt: t.ago(90 * D) });
      await expiring(id);
    }
    const coupon = await t.ruleId('coupon_expiry');
    const churn = await t.ruleId('churn_risk');
    const results = await Promise.all([
      t.engine.runRule(coupon),
      t.engine.runRule(churn),
      t.engine.runRule(coupon),
      t.engine.runRule(churn),
    ]);
    expect(results.reduce((n, r) => n + r.created, 0)).toBe(30);
    const perCustomer = await t.db
      .selectFrom('sop_tasks')
      .select(['external_userid', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('external_userid')
      .execute();
    expect(perCustomer).toHaveLength(30);
    expect(perCustomer.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it('assigns variants by hash of rule and customer, as pickVariant computes, near the weights', async () => {
    const churn = await t.ruleId('churn_risk'); // three variants, equal weights
    const ids = Array.from({ length: 300 }, (_, i) => `v${i}`);
    for (const id of ids) await t.customer(id, { lastInteractionAt: t.ago(90 * D) });
    await t.engine.runRule(churn);
    const tasks = await t.tasks(churn);
    expect(tasks).toHaveLength(300);
    for (const task of tasks) expect(task.variant).toBe(pickVariant(churn, task.external_userid, [1, 1, 1]));
    const counts = [0, 1, 2].map((v) => tasks.filter((x) => x.variant === v).length);
    for (const c of counts) expect(c).toBeGreaterThan(70);
    // unequal weights
    await t.rules.update(churn, {
      variants: [
        { template: 'A {{name}}', weight: 8 },
        { template: 'B {{name}}', weight: 2 },
      ],
    });
    expect(pickVariant(churn, 'v1', [8, 2])).toBe(pickVariant(churn, 'v1', [8, 2]));
    const share = ids.filter((id) => pickVariant(churn, id, [8, 2]) === 0).length / ids.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.9);
  });

  it('renders messages in SQL exactly as renderTemplate does', async () => {
    const coupon = await t.ruleId('coupon_expiry');
    const template =
      '{{ name }}您好，我是{{staffName}}：「{{couponName}}」{{couponValue}}元，{{couponExpiresAt}}到期';
    await t.rules.update(coupon, { variants: [{ template, weight: 1 }] });
    await t.customer('render', { name: '王小美' });
    await t.customer('noname', { name: '' });
    const expiresAt = sh('2024-05-15T23:59:00');
    await t.coupon('render', 'cp-r', { name: '满199减19.9', valueFen: 1990, expiresAt });
    await t.coupon('noname', 'cp-n', { name: '新人券', valueFen: 2000, expiresAt });
    await t.engine.runRule(coupon);
    const byCustomer = Object.fromEntries((await t.tasks(coupon)).map((x) => [x.external_userid, x.message]));
    expect(byCustomer.render).toBe(
      renderTemplate(template, {
        name: '王小美',
        staffName: '张三',
        couponName: '满199减19.9',
        couponValueFen: 1990,
        couponExpiresAt: expiresAt,
      }),
    );
    expect(byCustomer.render).toBe('王小美您好，我是张三：「满199减19.9」19.90元，05-15 23:59到期');
    expect(byCustomer.noname).toBe('顾客您好，我是张三：「新人券」20元，05-15 23:59到期');
  });
});
