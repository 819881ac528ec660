import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../../server/db/database.js';
import type { FollowStatus } from '../../server/db/schema.js';
import { fixedClock } from '../../server/infra/clock.js';
import { createLogger } from '../../server/infra/logger.js';
import { refreshActivity } from '../../server/repositories/customer-activity.js';
import { SopEngine } from '../../server/services/sop/engine.js';
import { noJobs, type RuleSchedules, type SopJobs } from '../../server/services/sop/ports.js';
import { SopRules } from '../../server/services/sop/rules.js';
import { freshPostgresDatabase, tempDir } from './test-app.js';

export const silentLogger = createLogger({ level: 'silent' });

const noSchedules: RuleSchedules = { upsert: async () => {}, remove: async () => {}, list: async () => [] };

/** A fresh migrated database (PGlite, or TEST_DATABASE_URL's server) with SOP builders. */
export async function openSopDb(start: Date, options: { jobs?: SopJobs } = {}) {
  const tmp = tempDir('scrm-sop-');
  const pg = await freshPostgresDatabase();
  const handle = await openDatabase({ databaseUrl: pg?.url, dataDir: tmp.dir, poolSize: 4 });
  await migrateToLatest(handle.db);
  const db = handle.db;
  const clock = fixedClock(start);
  const rules = new SopRules({ db, clock, schedules: noSchedules, logger: silentLogger });
  const engine = new SopEngine({ db, clock, rules, jobs: options.jobs ?? noJobs, logger: silentLogger });
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);
  return {
    db,
    clock,
    rules,
    engine,
    ago,
    async close() {
      await handle.close();
      await pg?.drop();
      tmp.remove();
    },
    staff: (userid: string, name = userid, departmentIds: number[] = []) =>
      db
        .insertInto('staff')
        .values({ userid, name, department_ids: departmentIds })
        .onConflict((oc) => oc.column('userid').doNothing())
        .execute(),
    /** a customer followed (actively) by `staff` unless `follow: false` */
    customer: async (
      id: string,
      c: {
        name?: string;
        staff?: string;
        follow?: FollowStatus | false;
        totalSpentFen?: number;
        orderCount?: number;
        lastOrderAt?: Date | null;
        lastInteractionAt?: Date | null;
        lifecycleStage?: 'new' | 'active' | 'silent' | 'churn_risk' | 'lost';
        addedAt?: Date;
        state?: string | null;
      } = {},
    ) => {
      const staff = c.staff ?? 'zhangsan';
      await db
        .insertInto('staff')
        .values({ userid: staff, name: staff === 'zhangsan' ? '张三' : staff })
        .onConflict((oc) => oc.column('userid').doNothing())
        .execute();
      await db
        .insertInto('customers')
        .values({
          external_userid: id,
          name: c.name ?? `客户${id}`,
          total_spent_fen: c.totalSpentFen ?? 0,
          order_count: c.orderCount ?? 0,
          last_order_at: c.lastOrderAt ?? null,
          last_interaction_at: c.lastInteractionAt ?? null,
          lifecycle_stage: c.lifecycleStage ?? 'active',
          channel_state: c.state ?? null,
          created_at: ago(400 * 86_400_000),
        })
        .execute();
      if (c.follow !== false) {
        await db
          .insertInto('follow_relations')
          .values({
            external_userid: id,
            userid: staff,
            status: c.follow ?? 'active',
            added_at: c.addedAt ?? ago(200 * 86_400_000),
            state: c.state ?? null,
            ...(c.follow && c.follow !== 'active' ? { deleted_at: ago(86_400_000) } : {}),
          })
          .execute();
      }
    },
    follow: (id: string, staff: string, addedAt: Date, status: FollowStatus = 'active') =>
      db
        .insertInto('follow_relations')
        .values({ external_userid: id, userid: staff, added_at: addedAt, status })
        .execute(),
    /** a stored behaviour event, with the customer's per-day activity recomputed (ingest keeps it too) */
    event: async (
      id: string,
      kind: string,
      at: Date,
      eventId = `${id}-${kind}-${at.getTime()}-${Math.random()}`,
    ) => {
      await db
        .insertInto('behavior_events')
        .values({ event_id: eventId, external_userid: id, kind, occurred_at: at, data: '{}' })
        .execute();
      await refreshActivity(db, { now: clock.now(), externalUserids: [id] });
    },
    order: (
      id: string,
      orderId: string,
      amountFen: number,
      paidAt: Date,
      status: 'paid' | 'refunded' | 'cancelled' = 'paid',
    ) =>
      db
        .insertInto('orders')
        .values({ order_id: orderId, external_userid: id, amount_fen: amountFen, status, paid_at: paidAt })
        .execute(),
    coupon: (
      id: string,
      couponId: string,
      c: { name?: string; valueFen?: number; expiresAt: Date; usedAt?: Date | null },
    ) =>
      db
        .insertInto('coupons')
        .values({
          coupon_id: couponId,
          external_userid: id,
          name: c.name ?? '满200减20',
          value_fen: c.valueFen ?? 2000,
          issued_at: ago(10 * 86_400_000),
          expires_at: c.expiresAt,
          used_at: c.usedAt ?? null,
        })
        .execute(),
    tag: async (id: string, staff: string, tagName: string, at: Date) => {
      await db
        .insertInto('tag_groups')
        .values({ group_id: 'g1', name: '意向' })
        .onConflict((oc) => oc.column('group_id').doNothing())
        .execute();
      const tagId = `t-${tagName}`;
      await db
        .insertInto('tags')
        .values({ tag_id: tagId, group_id: 'g1', name: tagName })
        .onConflict((oc) => oc.column('tag_id').doNothing())
        .execute();
      await db
        .insertInto('customer_tags')
        .values({ external_userid: id, userid: staff, tag_id: tagId })
        .execute();
      await db
        .insertInto('timeline')
        .values({
          external_userid: id,
          kind: 'tag_added',
          actor: staff,
          occurred_at: at,
          data: JSON.stringify({ tagId, tagName }),
          dedupe_key: `tag_added:${id}:${staff}:${tagId}:${at.getTime()}`,
        })
        .execute();
    },
    /** an SOP task as if created earlier (for cap and cooldown edges) */
    pastTask: async (
      id: string,
      ruleId: number,
      createdAt: Date,
      status = 'pending',
      windowKey = `past-${Math.random()}`,
    ) => {
      await db
        .insertInto('sop_tasks')
        .values({
          rule_id: ruleId,
          external_userid: id,
          userid: 'zhangsan',
          window_key: windowKey,
          message: 'earlier',
          status: status as 'pending',
          due_at: createdAt,
          created_at: createdAt,
        })
        .execute();
    },
    tasks: (ruleId?: number) => {
      let q = db.selectFrom('sop_tasks').selectAll().orderBy('id');
      if (ruleId !== undefined) q = q.where('rule_id', '=', ruleId);
      return q.execute();
    },
    ruleId: async (trigger: string) =>
      Number(
        (
          await db
            .selectFrom('sop_rules')
            .select('id')
            .where('trigger', '=', trigger)
            .orderBy('id')
            .executeTakeFirstOrThrow()
        ).id,
      ),
    /** disables every default rule but those named, so scans of one trigger stay apart */
    only: (...triggers: string[]) =>
      sql`UPDATE sop_rules SET enabled = (trigger = ANY(${triggers}::text[]))`.execute(db),
  };
}

export type SopDb = Awaited<ReturnType<typeof openSopDb>>;
