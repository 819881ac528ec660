import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIngestBody } from '../../server/http/middleware/ingest-signature.js';
import { fixedClock } from '../../server/infra/clock.js';
import { shanghaiDay, shanghaiDayStart } from '../../server/services/sop/time.js';
import {
  growthReportSchema,
  type SopRule,
  type SopTask,
  sopReportSchema,
  sopRuleSchema,
  sopTaskSchema,
  taskListSchema,
  taskReportSchema,
} from '../../shared/sop.js';
import { asUser, loginAs } from '../support/session.js';
import { type SimApp, startSimApp } from '../support/sim-app.js';

const H = 3_600_000;
const MIN = 60_000;
/** today 10:00 in Asia/Shanghai: outside quiet hours */
const TODAY = shanghaiDay(new Date());
const T0 = new Date(shanghaiDayStart(TODAY).getTime() + 10 * H);
const clock = fixedClock(T0);

let app: SimApp;
const cookies: Record<string, string> = {};
const db = () => app.runtime.ctx.db;

beforeAll(async () => {
  app = await startSimApp({ clock });
  await app.sim.addStaff(
    { userid: 'zhangsan', name: '张三', hasContactPermission: true },
    { userid: 'lisi', name: '李四', hasContactPermission: true },
    { userid: 'wangwu', name: '王五', hasContactPermission: true },
    { userid: 'boss', name: '王主管' },
  );
  for (const userid of ['zhangsan', 'lisi', 'boss']) cookies[userid] = await loginAs(app, userid);
  // the test runs each scan itself: no scheduled scan may run in between
  for (const rule of await listRules())
    await api('boss', 'PUT', `/api/sop-rules/${rule.id}`, { schedule: null });
});

afterAll(async () => {
  await app?.stop();
});

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: asUser(cookies[user]!),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function listRules(): Promise<SopRule[]> {
  const res = await api('boss', 'GET', '/api/sop-rules');
  expect(res.status).toBe(200);
  return res.body.rules.map((r: unknown) => sopRuleSchema.parse(r));
}

const ruleOf = async (trigger: string) =>
  (await listRules()).find((r) => r.trigger === trigger && r.name !== 'x')!;

async function ingest(kind: 'orders' | 'events' | 'coupons', items: unknown[]) {
  const raw = JSON.stringify({ items });
  const ts = Math.floor(clock.now().getTime() / 1000);
  const res = await fetch(`${app.url}/api/ingest/${kind}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': String(ts),
      'x-signature': signIngestBody(app.config.ingestSecret, ts, raw),
    },
    body: raw,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Runs the delayed jobs of a name now (the debounce), then drains the queues. */
async function runDelayed(name: string) {
  const queue = app.runtime.ctx.jobs.queue('sop');
  for (const job of await queue.getJobs(['delayed'])) if (job.name === name) await job.promote();
  await app.drain();
}

async function enqueueAndDrain(
  name: 'sop.remind-staff' | 'sop.mass-dispatch' | 'sop.mass-poll' | 'sop.daily-report',
) {
  await app.runtime.ctx.jobs.enqueue(name, {});
  await app.drain();
}

async function addCustomer(userid: string, name: string): Promise<string> {
  const fired = await app.sim.fire.addExternalContact({ userid, customer: { name }, welcomeCode: false });
  await app.drain();
  return fired.external_userid;
}

const appMessagesTo = async (userid: string) =>
  (await app.sim.sent.appMessages()).filter((m) => m.touser.includes(userid));
const iso = (d: Date) => d.toISOString();

describe('high intent → task → reminder → sent → order → conversion', () => {
  let customer: string;
  let task: SopTask;

  it('creates one task from a burst of product views, once, after the debounce', async () => {
    customer = await addCustomer('zhangsan', '王小美');
    await ingest(
      'events',
      [3, 2, 1].map((h) => ({
        eventId: `hi-${h}`,
        externalUserId: customer,
        kind: 'product_view',
        occurredAt: iso(new Date(T0.getTime() - h * 5 * MIN)),
      })),
    );
    // debounced: nothing yet
    expect(
      await db().selectFrom('sop_tasks').select('id').where('external_userid', '=', customer).execute(),
    ).toEqual([]);
    const delayed = (await app.runtime.ctx.jobs.queue('sop').getJobs(['delayed'])).filter(
      (j) => j.name === 'sop.evaluate-customers',
    );
    expect(delayed).toHaveLength(1);
    await runDelayed('sop.evaluate-customers');

    const list = taskListSchema.parse(
      (await api('zhangsan', 'GET', '/api/tasks?scope=mine&status=open')).body,
    );
    expect(list.tasks).toHaveLength(1);
    task = list.tasks[0]!;
    expect(task).toMatchObject({
      externalUserid: customer,
      userid: 'zhangsan',
      status: 'pending',
      reason: 'product_views',
      trigger: 'high_intent',
    });
    expect(task.message).toContain('王小美');
    expect(list.quietNow).toBe(false);
    // someone else's task is not theirs to see
    expect((await api('lisi', 'GET', `/api/tasks/${task.id}`)).status).toBe(403);
    expect((await api('lisi', 'GET', '/api/tasks?scope=team')).status).toBe(403);
  });

  it('reminds the salesperson with a textcard linking to the task, once per hour', async () => {
    const cards = await appMessagesTo('zhangsan');
    const card = cards.find((m) => m.msgtype === 'textcard');
    expect(card, JSON.stringify(cards)).toBeDefined();
    const textcard = card!.body.textcard as { url: string; description: string };
    expect(textcard.url).toBe(`${app.config.publicUrl}/tasks/${task.id}`);
    expect(textcard.description).toContain('王小美');
    expect(
      (
        await db()
          .selectFrom('sop_tasks')
          .select('notified_at')
          .where('id', '=', task.id)
          .executeTakeFirstOrThrow()
      ).notified_at,
    ).not.toBeNull();
    await enqueueAndDrain('sop.remind-staff');
    expect((await appMessagesTo('zhangsan')).filter((m) => m.msgtype === 'textcard')).toHaveLength(1);
  });

  it('a rescan creates nothing', async () => {
    const rule = await ruleOf('high_intent');
    const run = await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`);
    expect(run.status).toBe(200);
    expect(run.body).toEqual({ matched: 1, created: 0, capped: 0, skipped: 1 });
    expect((await api('zhangsan', 'POST', `/api/sop-rules/${rule.id}/run`)).status).toBe(403);
  });

  it('completes the task from the sidebar, then attributes the next order to it', async () => {
    const sent = await api('zhangsan', 'POST', `/api/tasks/${task.id}/sent`);
    expect(sent.status).toBe(200);
    expect(sopTaskSchema.parse(sent.body)).toMatchObject({ status: 'sent', sentAt: iso(T0) });
    // again is harmless
    expect((await api('zhangsan', 'POST', `/api/tasks/${task.id}/sent`)).status).toBe(200);
    // the task's creation is read from the task itself, sent is a stored entry
    const timeline = await api('zhangsan', 'GET', `/api/customers/${customer}/timeline`);
    expect(timeline.status).toBe(200);
    const entries: { kind: string }[] = timeline.body.entries;
    const sentEntry = entries.filter((e) => e.kind === 'sop_message_sent');
    const createdEntry = entries.filter((e) => e.kind === 'sop_task_created');
    expect(sentEntry).toMatchObject([{ actor: 'zhangsan', data: { taskId: task.id } }]);
    expect(createdEntry).toMatchObject([
      {
        id: `sop_task:${task.id}`,
        kind: 'sop_task_created',
        actor: 'system',
        occurredAt: task.createdAt,
        data: { taskId: task.id, ruleName: task.ruleName, userid: 'zhangsan', variant: task.variant },
      },
    ]);

    clock.advance(H);
    await ingest('orders', [
      {
        orderId: 'hi-o1',
        externalUserId: customer,
        amount: '299.00',
        status: 'paid',
        paidAt: iso(clock.now()),
      },
    ]);
    await app.drain();
    const row = await db()
      .selectFrom('sop_tasks')
      .selectAll()
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ converted_order_id: 'hi-o1', revenue_fen: 29_900, status: 'done' });

    const report = sopReportSchema.parse(
      (await api('boss', 'GET', `/api/reports/sop?from=${TODAY}&to=${TODAY}`)).body,
    );
    const rule = await ruleOf('high_intent');
    expect(report.rules.find((r) => r.ruleId === rule.id)).toMatchObject({
      created: 1,
      sent: 1,
      converted: 1,
      conversionRate: 1,
      revenueFen: 29_900,
    });
    // every variant of the rule has a row, the one that got the task and the others as zeros
    const rows = report.rows.filter((r) => r.ruleId === rule.id);
    expect(rows.map((r) => r.variant)).toEqual(rule.variants.map((_, i) => i));
    expect(rows.map((r) => r.created)).toEqual(rule.variants.map((_, i) => (i === row.variant ? 1 : 0)));
    expect((await api('zhangsan', 'GET', `/api/reports/sop?from=${TODAY}&to=${TODAY}`)).status).toBe(403);
  });

  it('answers a salesperson who messages the app 任务 with their open tasks', async () => {
    const other = await addCustomer('zhangsan', '李小红');
    await ingest('coupons', [
      {
        couponId: 'bot-c1',
        externalUserId: other,
        name: '满100减10',
        value: '10',
        issuedAt: iso(clock.now()),
        expiresAt: iso(new Date(clock.now().getTime() + 5 * H)),
      },
    ]);
    await api('boss', 'POST', `/api/sop-rules/${(await ruleOf('coupon_expiry')).id}/run`);
    await app.sim.fire.textMessage({ userid: 'zhangsan', content: '任务' });
    await app.drain();
    const texts = (await appMessagesTo('zhangsan')).filter((m) => m.msgtype === 'text');
    const answer = JSON.stringify(texts.at(-1)?.body);
    expect(answer).toContain('1 条待处理');
    expect(answer).toContain('李小红');
  });
});

describe('quiet hours', () => {
  it('holds reminders from 21:00 to 09:00 and dates the task past the window', async () => {
    const customer = await addCustomer('lisi', '夜猫子');
    clock.set(new Date(shanghaiDayStart(TODAY).getTime() + 21 * H + 30 * MIN));
    await ingest('coupons', [
      {
        couponId: 'q-c1',
        externalUserId: customer,
        name: '夜间券',
        value: '5',
        issuedAt: iso(clock.now()),
        expiresAt: iso(new Date(clock.now().getTime() + 20 * H)),
      },
    ]);
    const run = await api('boss', 'POST', `/api/sop-rules/${(await ruleOf('coupon_expiry')).id}/run`);
    expect(run.body).toMatchObject({ created: 1 });
    await app.drain();
    const task = await db()
      .selectFrom('sop_tasks')
      .selectAll()
      .where('external_userid', '=', customer)
      .executeTakeFirstOrThrow();
    // created at 21:30: 240 minutes after 09:00 next day
    expect(task.due_at).toEqual(new Date(shanghaiDayStart(TODAY).getTime() + 24 * H + 13 * H));
    expect(await appMessagesTo('lisi')).toEqual([]);
    expect(taskListSchema.parse((await api('lisi', 'GET', '/api/tasks')).body).quietNow).toBe(true);

    clock.set(new Date(shanghaiDayStart(TODAY).getTime() + 24 * H + 8 * H + 59 * MIN));
    await enqueueAndDrain('sop.remind-staff');
    expect(await appMessagesTo('lisi')).toEqual([]);
    clock.advance(MIN); // 09:00
    await enqueueAndDrain('sop.remind-staff');
    expect((await appMessagesTo('lisi')).map((m) => m.msgtype)).toEqual(['textcard']);
  });
});

describe('mass send', () => {
  it('batches per salesperson into add_msg_template, idempotently, and polls results', async () => {
    clock.set(new Date(shanghaiDayStart(TODAY).getTime() + 24 * H + 10 * H));
    const customers = [
      await addCustomer('wangwu', '甲'),
      await addCustomer('wangwu', '乙'),
      await addCustomer('wangwu', '丙'),
    ];
    const created = await api('boss', 'POST', '/api/sop-rules', {
      trigger: 'coupon_expiry',
      name: '券到期群发',
      deliveryMode: 'mass_send',
      dueMinutes: 120,
      audience: { staffUserids: ['wangwu'] },
      variants: [{ template: '您的「{{couponName}}」将于{{couponExpiresAt}}到期，记得使用哦～' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rule = sopRuleSchema.parse(created.body);
    const expiresAt = iso(new Date(clock.now().getTime() + 6 * H));
    await ingest(
      'coupons',
      customers.map((c, i) => ({
        couponId: `m-c${i}`,
        externalUserId: c,
        name: '会员券',
        value: '20',
        issuedAt: iso(clock.now()),
        expiresAt,
      })),
    );
    // the default coupon rule must not take these customers
    await api('boss', 'PUT', `/api/sop-rules/${(await ruleOf('coupon_expiry')).id}`, { enabled: false });
    expect((await api('boss', 'POST', `/api/sop-rules/${rule.id}/run`)).body).toMatchObject({ created: 3 });
    await app.drain();

    const sends = (await app.sim.sent.massSends()).filter((s) => s.sender === 'wangwu');
    expect(sends).toHaveLength(1);
    const send = sends[0]!;
    expect(send.recipients.map((r) => r.external_userid).sort()).toEqual([...customers].sort());
    const tasks = await db().selectFrom('sop_tasks').selectAll().where('rule_id', '=', rule.id).execute();
    expect(new Set(tasks.map((t) => t.mass_msgid))).toEqual(new Set([send.msgid]));
    // a second dispatch sends nothing again
    await enqueueAndDrain('sop.mass-dispatch');
    expect((await app.sim.sent.massSends()).filter((s) => s.sender === 'wangwu')).toHaveLength(1);

    await app.sim.setMassSendStatus(send.msgid, {
      userid: 'wangwu',
      external_userid: customers[0]!,
      status: 1,
    });
    await app.sim.setMassSendStatus(send.msgid, {
      userid: 'wangwu',
      external_userid: customers[1]!,
      status: 2,
    });
    await enqueueAndDrain('sop.mass-poll');
    const status = async () =>
      Object.fromEntries(
        (
          await db()
            .selectFrom('sop_tasks')
            .select(['external_userid', 'status', 'failure_reason'])
            .where('rule_id', '=', rule.id)
            .execute()
        ).map((t) => [t.external_userid, t.failure_reason ? `${t.status}:${t.failure_reason}` : t.status]),
      );
    expect(await status()).toEqual({
      [customers[0]!]: 'sent',
      [customers[1]!]: 'failed:not_a_friend',
      [customers[2]!]: 'pending',
    });
    const reminds = async () => (await app.sim.counters()).calls['externalcontact/remind_groupmsg_send'] ?? 0;
    expect(await reminds()).toBe(0);

    // overdue: reminded once, however often polled
    clock.advance(2 * H + MIN);
    await enqueueAndDrain('sop.mass-poll');
    await enqueueAndDrain('sop.mass-poll');
    expect(await reminds()).toBe(1);
    // unconfirmed past due and the grace day: expired
    clock.advance(24 * H);
    await enqueueAndDrain('sop.mass-poll');
    expect((await status())[customers[2]!]).toBe('expired:unconfirmed');
    const sentEntry = await db()
      .selectFrom('timeline')
      .select(['kind', 'actor'])
      .where('external_userid', '=', customers[0]!)
      .where('kind', '=', 'sop_message_sent')
      .execute();
    expect(sentEntry).toEqual([{ kind: 'sop_message_sent', actor: 'wangwu' }]);
    await api('boss', 'PUT', `/api/sop-rules/${(await ruleOf('coupon_expiry')).id}`, { enabled: true });
  });
});

describe('the cap under concurrent scans', () => {
  it('two rules scanning the same customers at once stay within 1 message each', async () => {
    expect((await api('boss', 'PUT', '/api/sop-settings', { pressure: { maxMessages: 1 } })).status).toBe(
      200,
    );
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await addCustomer('zhangsan', `并发${i}`));
    const now = clock.now();
    await ingest(
      'coupons',
      ids.map((c, i) => ({
        couponId: `race-${i}`,
        externalUserId: c,
        name: '券',
        value: '1',
        issuedAt: iso(now),
        expiresAt: iso(new Date(now.getTime() + 3 * H)),
      })),
    );
    await sql`UPDATE customers SET last_interaction_at = ${new Date(now.getTime() - 90 * 24 * H)}::timestamptz
      WHERE external_userid = ANY(${ids}::text[])`.execute(db());
    const coupon = await ruleOf('coupon_expiry');
    const churn = await ruleOf('churn_risk');
    const runs = await Promise.all([
      api('boss', 'POST', `/api/sop-rules/${coupon.id}/run`),
      api('boss', 'POST', `/api/sop-rules/${churn.id}/run`),
      api('boss', 'POST', `/api/sop-rules/${churn.id}/run`),
    ]);
    expect(runs.map((r) => r.status)).toEqual([200, 200, 200]);
    const perCustomer = await db()
      .selectFrom('sop_tasks')
      .select(['external_userid', (eb) => eb.fn.countAll<number>().as('n')])
      .where('external_userid', 'in', ids)
      .groupBy('external_userid')
      .execute();
    expect(perCustomer.map((r) => Number(r.n))).toEqual([1, 1, 1, 1, 1, 1]);
    const capped = runs.reduce((n, r) => n + r.body.capped, 0);
    expect(capped).toBeGreaterThanOrEqual(6);
    await api('boss', 'PUT', '/api/sop-settings', { pressure: { maxMessages: 2 } });
  });
});

describe('reports equal independent counts', () => {
  const to = () => shanghaiDay(clock.now());

  it('tasks per salesperson', async () => {
    const report = taskReportSchema.parse(
      (await api('boss', 'GET', `/api/reports/tasks?from=${TODAY}&to=${to()}`)).body,
    );
    const { rows } = await sql<{
      userid: string;
      assigned: number;
      sent: number;
      on_time: number;
      skipped: number;
    }>`
      SELECT userid, count(*)::int AS assigned, count(sent_at)::int AS sent,
        sum(CASE WHEN sent_at IS NOT NULL AND sent_at <= due_at THEN 1 ELSE 0 END)::int AS on_time,
        sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END)::int AS skipped
      FROM sop_tasks
      WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN ${TODAY}::date AND ${to()}::date
      GROUP BY userid ORDER BY userid`.execute(db());
    expect(rows.length).toBeGreaterThan(1);
    expect(
      report.staff
        .map((s) => ({
          userid: s.userid,
          assigned: s.assigned,
          sent: s.sent,
          on_time: s.onTime,
          skipped: s.skipped,
        }))
        .sort((a, b) => (a.userid < b.userid ? -1 : 1)),
    ).toEqual(rows);
    expect(report.totals.assigned).toBe(rows.reduce((n, r) => n + r.assigned, 0));
    expect(report.staff.map((s) => s.rank)).toEqual(report.staff.map((_, i) => i + 1));
  });

  it('reach and conversion per rule', async () => {
    const report = sopReportSchema.parse(
      (await api('boss', 'GET', `/api/reports/sop?from=${TODAY}&to=${to()}`)).body,
    );
    const { rows } = await sql<{
      rule_id: number;
      created: number;
      sent: number;
      converted: number;
      revenue: number;
      capped: number;
    }>`
      SELECT r.id AS rule_id,
        (SELECT count(*) FROM sop_tasks t WHERE t.rule_id = r.id)::int AS created,
        (SELECT count(*) FROM sop_tasks t WHERE t.rule_id = r.id AND t.sent_at IS NOT NULL)::int AS sent,
        (SELECT count(*) FROM sop_tasks t WHERE t.rule_id = r.id AND t.sent_at IS NOT NULL AND t.converted_order_id IS NOT NULL)::int AS converted,
        (SELECT coalesce(sum(o.amount_fen), 0) FROM sop_tasks t JOIN orders o ON o.order_id = t.converted_order_id WHERE t.rule_id = r.id)::int AS revenue,
        (SELECT count(*) FROM sop_skips s WHERE s.rule_id = r.id)::int AS capped
      FROM sop_rules r ORDER BY r.id`.execute(db());
    const active = rows.filter((r) => r.created + r.capped > 0);
    expect(
      report.rules.map((r) => ({
        rule_id: r.ruleId,
        created: r.created,
        sent: r.sent,
        converted: r.converted,
        revenue: r.revenueFen,
        capped: r.capped,
      })),
    ).toEqual(active);
  });

  it('growth per salesperson, and the daily robot report', async () => {
    const report = growthReportSchema.parse(
      (await api('boss', 'GET', `/api/reports/growth?from=${TODAY}&to=${to()}`)).body,
    );
    const { rows } = await sql<{ userid: string; added: number }>`
      SELECT userid, count(*)::int AS added FROM follow_relations
      WHERE added_at >= ${shanghaiDayStart(TODAY)}::timestamptz
        AND added_at < ${new Date(shanghaiDayStart(to()).getTime() + 24 * H)}::timestamptz
      GROUP BY userid ORDER BY userid`.execute(db());
    const added = new Map<string, number>();
    for (const d of report.days) added.set(d.userid, (added.get(d.userid) ?? 0) + d.added);
    expect(Object.fromEntries(added)).toEqual(Object.fromEntries(rows.map((r) => [r.userid, r.added])));
    expect(report.churnAlertRate).toBe(0.05);

    await api('boss', 'PUT', '/api/sop-settings', { reports: { dailyReportTime: '09:00' } });
    await enqueueAndDrain('sop.daily-report');
    await enqueueAndDrain('sop.daily-report');
    const robot = await app.sim.sent.robotMessages();
    expect(robot).toHaveLength(1);
    expect(JSON.stringify(robot[0]!.body)).toContain('私域SOP日报');
  });
});

describe('rules API', () => {
  it('validates with issues naming the fields, and refuses staff', async () => {
    const bad = await api('boss', 'POST', '/api/sop-rules', {
      trigger: 'churn_risk',
      name: '',
      params: { minAovFen: -1 },
      variants: [{ template: '{{couponName}} 到期' }],
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'params.minAovFen']));
    const vars = await api('boss', 'POST', '/api/sop-rules', {
      trigger: 'churn_risk',
      name: 'x',
      variants: [{ template: '{{couponName}}' }],
    });
    expect(vars.body.error.issues).toEqual([
      { path: 'variants.0.template', message: '{{couponName}} is not available for churn_risk rules' },
    ]);
    expect((await api('zhangsan', 'GET', '/api/sop-rules')).status).toBe(403);
    const rule = await ruleOf('churn_risk');
    const put = await api('boss', 'PUT', `/api/sop-rules/${rule.id}`, { params: { minAovFen: 100_000 } });
    expect(put.status).toBe(200);
    expect(put.body.params).toMatchObject({ minAovFen: 100_000, noOrderDays: 30 });
  });
});
