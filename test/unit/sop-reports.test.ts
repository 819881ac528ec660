import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SopBot } from '../../server/services/sop/bot.js';
import { StaffTasks } from '../../server/services/sop/delivery/staff-task.js';
import type { SopWeCom } from '../../server/services/sop/ports.js';
import { SopReports } from '../../server/services/sop/reports/index.js';
import { openSopDb, type SopDb, silentLogger } from '../support/sop-db.js';

const NOW = new Date('2024-05-20T04:00:00Z'); // 12:00 Asia/Shanghai
const sh = (local: string) => new Date(`${local}+08:00`);

let t: SopDb;
let reports: SopReports;
let rule: number;

beforeAll(async () => {
  t = await openSopDb(NOW);
  reports = new SopReports({ db: t.db, clock: t.clock });
  rule = await t.ruleId('high_intent');
  await t.staff('zhangsan', '张三');
  await t.staff('lisi', '李四');
  let n = 0;
  const task = async (
    userid: string,
    createdAt: Date,
    f: { dueAt?: Date; sentAt?: Date; status?: string; variant?: number; converted?: number },
  ) => {
    n += 1;
    const id = `c${n}`;
    await t.customer(id, { staff: userid });
    await t.db
      .insertInto('sop_tasks')
      .values({
        rule_id: rule,
        external_userid: id,
        userid,
        window_key: 'w',
        variant: f.variant ?? 0,
        message: 'm',
        status: (f.status ?? (f.sentAt ? 'sent' : 'pending')) as 'pending',
        due_at: f.dueAt ?? new Date(createdAt.getTime() + 4 * 3_600_000),
        created_at: createdAt,
        sent_at: f.sentAt ?? null,
        ...(f.converted
          ? { converted_order_id: `o${n}`, converted_at: f.sentAt, revenue_fen: f.converted }
          : {}),
      })
      .execute();
  };
  // 05-14 in Shanghai ends at 15:59:59Z
  await task('zhangsan', sh('2024-05-14T23:59:00'), { sentAt: sh('2024-05-15T01:00:00') }); // 05-14, on time
  await task('zhangsan', sh('2024-05-15T00:00:00'), { sentAt: sh('2024-05-15T05:00:00'), converted: 19_900 }); // 05-15, late
  await task('zhangsan', sh('2024-05-15T10:00:00'), {}); // overdue, pending
  await task('zhangsan', sh('2024-05-15T11:00:00'), { status: 'skipped' });
  await task('lisi', sh('2024-05-15T12:00:00'), { status: 'expired' }); // overdue, expired
  await task('lisi', sh('2024-05-15T13:00:00'), { sentAt: sh('2024-05-15T13:30:00'), variant: 1 });
  await task('lisi', sh('2024-05-20T11:00:00'), {}); // not yet due
  await t.db
    .insertInto('sop_skips')
    .values([
      {
        rule_id: rule,
        external_userid: 'c1',
        window_key: 'other',
        reason: 'frequency_cap',
        created_at: sh('2024-05-15T09:00:00'),
        variant: 1,
      },
      // later got its task (c2 / w): counts as capped, not again as matched
      {
        rule_id: rule,
        external_userid: 'c2',
        window_key: 'w',
        reason: 'frequency_cap',
        created_at: sh('2024-05-15T08:00:00'),
      },
    ])
    .execute();
});
afterAll(async () => {
  await t?.close();
});

describe('task report (per salesperson and Asia/Shanghai day)', () => {
  it('counts by the Shanghai day of creation, with on time, overdue, skipped and ranks', async () => {
    const r = await reports.tasks({ from: '2024-05-14', to: '2024-05-20' });
    expect(r.days.map((d) => [d.day, d.userid, d.assigned, d.sent, d.onTime, d.overdue, d.skipped])).toEqual([
      ['2024-05-14', 'zhangsan', 1, 1, 1, 0, 0],
      ['2024-05-15', 'lisi', 2, 1, 1, 1, 0],
      ['2024-05-15', 'zhangsan', 3, 1, 0, 2, 1],
      ['2024-05-20', 'lisi', 1, 0, 0, 0, 0],
    ]);
    expect(r.staff.map((s) => [s.rank, s.userid, s.name, s.assigned, s.sent, s.completionRate])).toEqual([
      [1, 'zhangsan', '张三', 4, 2, 0.5],
      [2, 'lisi', '李四', 3, 1, 0.3333],
    ]);
    expect(r.totals).toMatchObject({ assigned: 7, sent: 3, onTime: 2, overdue: 3, skipped: 1 });
    // independent count
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sop_tasks
      WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date = '2024-05-15'`.execute(t.db);
    expect(r.days.filter((d) => d.day === '2024-05-15').reduce((n, d) => n + d.assigned, 0)).toBe(rows[0]!.n);
    expect((await reports.tasks({ from: '2024-05-15', to: '2024-05-15' })).totals.assigned).toBe(5);
  });
});

describe('SOP report (per rule and variant)', () => {
  it('matched = created + held back never created; conversion over sent', async () => {
    const r = await reports.sop({ from: '2024-05-14', to: '2024-05-20' });
    expect(
      r.rows.map((x) => [x.variant, x.matched, x.capped, x.created, x.sent, x.converted, x.revenueFen]),
    ).toEqual([
      [0, 6, 1, 6, 2, 1, 19_900],
      [1, 2, 1, 1, 1, 0, 0],
    ]);
    expect(r.rules).toMatchObject([
      { ruleId: rule, matched: 8, capped: 2, created: 7, sent: 3, converted: 1, conversionRate: 0.3333 },
    ]);
  });
});

describe('growth report', () => {
  it('adds, deletions by staff and by customers per day, and the monthly churn rate against 5%', async () => {
    await sql`DELETE FROM follow_relations`.execute(t.db);
    await sql`INSERT INTO customers (external_userid) SELECT 'c' || g FROM generate_series(1, 20) g
      ON CONFLICT DO NOTHING`.execute(t.db);
    const rel = (
      id: string,
      userid: string,
      added: string,
      deleted?: [string, 'deleted_by_staff' | 'deleted_by_customer'],
    ) =>
      t.db
        .insertInto('follow_relations')
        .values({
          external_userid: id,
          userid,
          added_at: sh(added),
          status: deleted?.[1] ?? 'active',
          deleted_at: deleted ? sh(deleted[0]) : null,
        })
        .execute();
    // 20 relations active at 05-01, one of them deleted by the customer in May (5%), then another
    for (let i = 1; i <= 20; i++) await rel(`c${i}`, 'zhangsan', '2024-04-01T10:00:00');
    await sql`UPDATE follow_relations SET status = 'deleted_by_customer', deleted_at = ${sh('2024-05-15T10:00:00')}::timestamptz
      WHERE external_userid = 'c1'`.execute(t.db);
    await rel('c2', 'lisi', '2024-05-15T23:30:00');
    await rel('c3', 'lisi', '2024-05-16T00:30:00', ['2024-05-16T08:00:00', 'deleted_by_staff']);
    let r = await reports.growth({ from: '2024-05-15', to: '2024-05-16' });
    expect(
      r.days.map((d) => [d.day, d.userid, d.added, d.deletedByStaff, d.deletedByCustomer, d.net]),
    ).toEqual([
      ['2024-05-15', 'lisi', 1, 0, 0, 1],
      ['2024-05-15', 'zhangsan', 0, 0, 1, -1],
      ['2024-05-16', 'lisi', 1, 1, 0, 0],
    ]);
    expect(r.months).toEqual([
      { month: '2024-05', base: 20, deletedByCustomer: 1, churnRate: 0.05, alert: false },
    ]);
    await sql`UPDATE follow_relations SET status = 'deleted_by_customer', deleted_at = ${sh('2024-05-17T10:00:00')}::timestamptz
      WHERE external_userid = 'c4'`.execute(t.db);
    r = await reports.growth({ from: '2024-05-15', to: '2024-05-16' });
    expect(r.months[0]).toMatchObject({ deletedByCustomer: 2, churnRate: 0.1, alert: true });
  });

  it('the daily robot report carries completion, overdue, conversions and the churn alert', async () => {
    const robot: unknown[] = [];
    const wecom = {
      sendRobotMessage: async (_key: string, body: unknown) => {
        robot.push(body);
        return { errcode: 0, errmsg: 'ok' };
      },
    } as unknown as SopWeCom;
    const tasks = new StaffTasks({
      db: t.db,
      clock: t.clock,
      wecom,
      publicUrl: 'https://x',
      logger: silentLogger,
    });
    const bot = new SopBot({
      db: t.db,
      clock: t.clock,
      wecom,
      botWebhookKey: 'k',
      tasks,
      reports,
      logger: silentLogger,
    });
    t.clock.set(sh('2024-05-20T17:59:00'));
    expect(await bot.dailyReport()).toEqual({ sent: false, reason: 'not yet' });
    t.clock.set(sh('2024-05-20T18:00:00'));
    expect(await bot.dailyReport()).toEqual({ sent: true });
    expect(await bot.dailyReport()).toEqual({ sent: false, reason: 'already sent today' });
    const content = (robot[0] as { markdown: { content: string } }).markdown.content;
    expect(content).toContain('私域SOP日报 · 2024-05-20');
    expect(content).toContain('李四：0/1');
    expect(content).toContain('逾期未处理**：2 条（李四 1，张三 1）');
    expect(content).toContain('流失预警');
  });
});
