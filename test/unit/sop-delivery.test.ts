import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DISPATCH_LEASE_MS,
  MASS_SEND_MAX_RECIPIENTS,
  MassSends,
} from '../../server/services/sop/delivery/mass-send.js';
import { StaffTasks } from '../../server/services/sop/delivery/staff-task.js';
import { SopOutcomes } from '../../server/services/sop/outcomes.js';
import type { SopWeCom } from '../../server/services/sop/ports.js';
import { WeComApiError, WeComTransportError } from '../../server/wecom/errors.js';
import { openSopDb, type SopDb, silentLogger } from '../support/sop-db.js';

const H = 3_600_000;
const D = 86_400_000;
const NOW = new Date('2024-05-15T02:00:00Z'); // 10:00 Asia/Shanghai

/** WeCom at the process boundary: records calls, answers like WeCom, fails on demand. */
function fakeWeCom() {
  const calls = {
    app: [] as Array<{ touser: string[]; body: unknown }>,
    mass: [] as Array<{ sender?: string; externalUserids?: string[]; text?: string }>,
  };
  let failNext: Error | undefined;
  let msgids = 0;
  const wecom = {
    async sendAppMessage(input: { touser: string[] }) {
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      calls.app.push({ touser: input.touser, body: input });
      return { msgid: 'm', invaliduser: [], unlicenseduser: [] };
    },
    async addMsgTemplate(input: { sender?: string; externalUserids?: string[]; text?: string }) {
      calls.mass.push(input);
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      msgids += 1;
      return { errcode: 0, errmsg: 'ok', msgid: `msg-${msgids}`, fail_list: [] };
    },
    async getGroupMsgSendResult() {
      return { errcode: 0, errmsg: 'ok', send_list: [] };
    },
    async remindGroupMsgSend() {
      return { errcode: 0, errmsg: 'ok' };
    },
    async sendRobotMessage() {
      return { errcode: 0, errmsg: 'ok' };
    },
    async getUserBehaviorData() {
      return { errcode: 0, errmsg: 'ok', behavior_data: [] };
    },
  };
  return { wecom: wecom as unknown as SopWeCom, calls, failWith: (e: Error) => (failNext = e) };
}

let t: SopDb;
let fake: ReturnType<typeof fakeWeCom>;
let staffTasks: StaffTasks;
let massSends: MassSends;
let outcomes: SopOutcomes;

beforeAll(async () => {
  t = await openSopDb(NOW);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  t.clock.set(NOW);
  await sql`TRUNCATE sop_tasks, sop_skips, sop_staff_digests, timeline, behavior_events, orders, coupons,
    customer_tags, follow_relations, customers, settings RESTART IDENTITY CASCADE`.execute(t.db);
  await sql`UPDATE sop_rules SET enabled = true, delivery_mode = 'staff_task'`.execute(t.db);
  fake = fakeWeCom();
  const deps = { db: t.db, clock: t.clock, wecom: fake.wecom, logger: silentLogger };
  staffTasks = new StaffTasks({ ...deps, publicUrl: 'https://scrm.example.com' });
  massSends = new MassSends(deps);
  outcomes = new SopOutcomes({ db: t.db, clock: t.clock });
});

async function couponTasks(ids: string[], staff = 'zhangsan') {
  for (const id of ids) {
    await t.customer(id, { staff });
    await t.coupon(id, `cp-${id}`, {
      expiresAt: new Date(t.clock.now().getTime() + 20 * H),
      name: '同一张券',
    });
  }
  return t.engine.runRule(await t.ruleId('coupon_expiry'));
}

describe('mass send dispatch', () => {
  beforeEach(async () => {
    await sql`UPDATE sop_rules SET delivery_mode = 'mass_send',
      variants = '[{"template":"「{{couponName}}」快到期了","weight":1}]' WHERE trigger = 'coupon_expiry'`.execute(
      t.db,
    );
  });

  it('sends once per salesperson and message, and records the msgid', async () => {
    await couponTasks(['a', 'b']);
    await couponTasks(['c'], 'lisi');
    expect(await massSends.dispatch()).toMatchObject({ calls: 2, tasks: 3 });
    expect(fake.calls.mass.map((c) => [c.sender, c.externalUserids])).toEqual([
      ['zhangsan', ['a', 'b']],
      ['lisi', ['c']],
    ]);
    expect(fake.calls.mass[0]!.text).toBe('「同一张券」快到期了');
    expect((await t.tasks()).map((x) => x.mass_msgid)).toEqual(['msg-1', 'msg-1', 'msg-2']);
    expect(await massSends.dispatch()).toMatchObject({ calls: 0 });
  });

  it('never sends twice when a worker loses WeCom’s answer: the claim stays, then fails visibly', async () => {
    await couponTasks(['a', 'b']);
    fake.failWith(
      new WeComTransportError('externalcontact/add_msg_template', 'no answer', { timedOut: true }),
    );
    await expect(massSends.dispatch()).rejects.toThrow();
    expect(fake.calls.mass).toHaveLength(1);
    // the job retries at once: the claimed tasks are not sent again
    expect(await massSends.dispatch()).toMatchObject({ calls: 0 });
    expect(fake.calls.mass).toHaveLength(1);
    t.clock.advance(DISPATCH_LEASE_MS + 1000);
    expect(await massSends.dispatch()).toMatchObject({ calls: 0, interrupted: 2 });
    expect((await t.tasks()).map((x) => `${x.status}:${x.failure_reason}`)).toEqual([
      'failed:dispatch_interrupted',
      'failed:dispatch_interrupted',
    ]);
    expect(fake.calls.mass).toHaveLength(1);
  });

  it('retries a call WeCom refused for now (busy): the claim is released', async () => {
    await couponTasks(['a']);
    fake.failWith(
      new WeComApiError({ api: 'externalcontact/add_msg_template', errcode: -1, errmsg: 'busy' }),
    );
    await expect(massSends.dispatch()).rejects.toThrow();
    expect(await massSends.dispatch()).toMatchObject({ calls: 1, tasks: 1 });
    expect((await t.tasks())[0]!.mass_msgid).toBe('msg-1');
  });

  it(`splits a salesperson’s batch at ${MASS_SEND_MAX_RECIPIENTS} recipients`, async () => {
    await t.customer('seed');
    const rule = await t.ruleId('coupon_expiry');
    await sql`INSERT INTO customers (external_userid) SELECT 'bulk' || g FROM generate_series(1, ${MASS_SEND_MAX_RECIPIENTS + 1}::int) g`.execute(
      t.db,
    );
    await sql`INSERT INTO sop_tasks (rule_id, external_userid, userid, window_key, message, due_at, created_at, delivery_mode)
      SELECT ${rule}::bigint, 'bulk' || g, 'zhangsan', 'w', '同一条', ${NOW}::timestamptz, ${NOW}::timestamptz, 'mass_send'
      FROM generate_series(1, ${MASS_SEND_MAX_RECIPIENTS + 1}::int) g`.execute(t.db);
    expect(await massSends.dispatch()).toMatchObject({ calls: 2, tasks: MASS_SEND_MAX_RECIPIENTS + 1 });
    expect(fake.calls.mass.map((c) => c.externalUserids!.length)).toEqual([MASS_SEND_MAX_RECIPIENTS, 1]);
  });
});

describe('staff task reminders', () => {
  it('sends one digest per salesperson per hour, and an overdue reminder once', async () => {
    await couponTasks(['a', 'b']);
    expect(await staffTasks.remind()).toMatchObject({ digests: 1 });
    expect(fake.calls.app).toHaveLength(1);
    const card = (fake.calls.app[0]!.body as { textcard: { url: string; description: string } }).textcard;
    expect(card.url).toBe('https://scrm.example.com/tasks/1');
    expect(card.description).toContain('新任务 2 条');

    t.clock.advance(10 * 60_000);
    await couponTasks(['c']);
    expect(await staffTasks.remind()).toMatchObject({ digests: 0 });
    t.clock.advance(50 * 60_000);
    expect(await staffTasks.remind()).toMatchObject({ digests: 1 });
    expect((fake.calls.app[1]!.body as { textcard: { description: string } }).textcard.description).toContain(
      '新任务 1 条',
    );

    // past due (240 minutes): reminded once as overdue
    t.clock.advance(4 * H);
    expect(await staffTasks.remind()).toMatchObject({ digests: 1 });
    const overdue = (fake.calls.app[2]!.body as { textcard: { description: string } }).textcard.description;
    expect(overdue, overdue).toContain('已逾期 3 条');
    t.clock.advance(2 * H);
    expect(await staffTasks.remind()).toMatchObject({ digests: 0 });
    expect(fake.calls.app).toHaveLength(3);
  });

  it('rolls a failed digest back so the retry sends it', async () => {
    await couponTasks(['a']);
    fake.failWith(new WeComApiError({ api: 'message/send', errcode: -1, errmsg: 'busy' }));
    await expect(staffTasks.remind()).rejects.toThrow();
    expect((await t.tasks())[0]!.notified_at).toBeNull();
    expect(await staffTasks.remind()).toMatchObject({ digests: 1 });
  });

  it('reassigns a task when its relation is lost, or expires it with nobody left', async () => {
    await t.customer('moved', { staff: 'zhangsan', addedAt: t.ago(100 * D) });
    await t.follow('moved', 'lisi', t.ago(50 * D));
    await t.customer('alone', { staff: 'zhangsan' });
    for (const id of ['moved', 'alone'])
      await t.coupon(id, `cp-${id}`, { expiresAt: new Date(NOW.getTime() + 5 * H) });
    await t.engine.runRule(await t.ruleId('coupon_expiry'));
    // lisi added 'moved' most recently, so owns it
    expect((await t.tasks()).map((x) => [x.external_userid, x.userid])).toEqual([
      ['alone', 'zhangsan'],
      ['moved', 'lisi'],
    ]);
    await sql`UPDATE follow_relations SET status = 'deleted_by_customer', deleted_at = ${t.ago(H)}::timestamptz
      WHERE (external_userid, userid) IN (('moved', 'lisi'), ('alone', 'zhangsan'))`.execute(t.db);
    expect(await staffTasks.remind()).toMatchObject({ reassigned: 2 });
    expect((await t.tasks()).map((x) => [x.external_userid, x.userid, x.status, x.failure_reason])).toEqual([
      ['alone', 'zhangsan', 'expired', 'relation_lost'],
      ['moved', 'zhangsan', 'pending', null],
    ]);
  });

  it('marks sent and skipped with timeline entries; staff act only on their own tasks', async () => {
    await couponTasks(['a', 'b']);
    const [a, b] = await t.tasks();
    const me = { userid: 'zhangsan', role: 'staff' as const };
    await expect(staffTasks.markSent({ userid: 'lisi', role: 'staff' }, Number(a!.id))).rejects.toMatchObject(
      { code: 'forbidden' },
    );
    expect(await staffTasks.markSent(me, Number(a!.id))).toMatchObject({
      status: 'sent',
      sentAt: NOW.toISOString(),
    });
    expect(await staffTasks.skip(me, Number(b!.id), '客户已在店里下单')).toMatchObject({
      status: 'skipped',
      skippedReason: '客户已在店里下单',
    });
    await expect(staffTasks.skip(me, Number(a!.id), 'x')).rejects.toMatchObject({ code: 'conflict' });
    const kinds = await t.db
      .selectFrom('timeline')
      .select(['kind', 'actor'])
      .where('kind', 'in', ['sop_message_sent', 'sop_task_skipped'])
      .orderBy('id')
      .execute();
    expect(kinds).toEqual([
      { kind: 'sop_message_sent', actor: 'zhangsan' },
      { kind: 'sop_task_skipped', actor: 'zhangsan' },
    ]);
  });
});

describe('outcomes', () => {
  async function sentTask(id: string, sentAt: Date, ruleTrigger = 'coupon_expiry') {
    const rule = await t.ruleId(ruleTrigger);
    await t.db
      .insertInto('sop_tasks')
      .values({
        rule_id: rule,
        external_userid: id,
        userid: 'zhangsan',
        window_key: `w-${sentAt.getTime()}`,
        message: 'm',
        status: 'sent',
        due_at: sentAt,
        created_at: sentAt,
        sent_at: sentAt,
      })
      .execute();
  }
  const task = async (id: string) => (await t.tasks()).filter((x) => x.external_userid === id);

  it('attributes a paid order within 7 days after sending: 6 d 23 h yes, 7 d 1 min no, before no', async () => {
    for (const id of ['in', 'late', 'before']) {
      await t.customer(id);
      await sentTask(id, t.ago(8 * D));
    }
    await t.order('in', 'o-in', 12_300, new Date(t.ago(8 * D).getTime() + 6 * D + 23 * H));
    await t.order('late', 'o-late', 100, new Date(t.ago(8 * D).getTime() + 7 * D + 60_000));
    await t.order('before', 'o-before', 100, t.ago(9 * D));
    expect(await outcomes.update()).toMatchObject({ converted: 1 });
    expect(await task('in')).toMatchObject([
      { converted_order_id: 'o-in', revenue_fen: 12_300, status: 'done' },
    ]);
    expect(await task('late')).toMatchObject([{ converted_order_id: null, status: 'done' }]);
    expect(await task('before')).toMatchObject([{ converted_order_id: null }]);
  });

  it('credits the last task sent before the order; a refund withdraws it; responses within 48 h', async () => {
    await t.customer('two');
    await sentTask('two', t.ago(3 * D), 'coupon_expiry');
    await sentTask('two', t.ago(2 * D), 'high_intent');
    await t.order('two', 'o-two', 5000, t.ago(D));
    await t.event('two', 'coupon_view', t.ago(2 * D - H));
    await outcomes.update(['two']);
    const [older, newer] = await task('two');
    expect(older).toMatchObject({ converted_order_id: null });
    expect(newer).toMatchObject({ converted_order_id: 'o-two', responded_at: t.ago(2 * D - H) });
    expect(older!.responded_at).toEqual(t.ago(2 * D - H));
    await sql`UPDATE orders SET status = 'refunded' WHERE order_id = 'o-two'`.execute(t.db);
    expect(await outcomes.update(['two'])).toMatchObject({ withdrawn: 1 });
    expect((await task('two'))[1]).toMatchObject({ converted_order_id: null, revenue_fen: 0 });
  });
});
