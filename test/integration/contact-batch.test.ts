import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactSyncService } from '../../server/services/wecom-sync/contact-sync.js';
import type { ContactEvent } from '../../server/wecom/callback-events.js';
import { type SimApp, seedSalesTeam, startSimApp } from '../support/sim-app.js';
import { TEST_WECOM } from '../support/test-app.js';

/*
 * Contact events that are processed at the same time are written as one batch (one transaction).
 * These tests use ContactSyncServices on the app's database and WeCom client whose batch waits
 * until it is full, so the events a test hands in together surely share one batch.
 */

let app: SimApp;

beforeAll(async () => {
  app = await startSimApp();
  await seedSalesTeam(app);
});

/** A contact sync whose batches are written when `size` events are in (or after a minute). */
function batchedSync(size: number) {
  const { ctx, services } = app.runtime;
  return new ContactSyncService({
    db: ctx.db,
    wecom: services.wecom,
    clock: ctx.clock,
    logger: ctx.logger,
    insights: services.customerInsights,
    notifier: { contactLost: async () => {} },
    batch: { maxBatch: size, lingerMs: 60_000 },
  });
}

afterAll(async () => {
  await app?.stop();
});

const db = () => app.runtime.ctx.db;
const timeline = (ext: string) =>
  db()
    .selectFrom('timeline')
    .select(['kind', 'dedupe_key'])
    .where('external_userid', '=', ext)
    .orderBy('id')
    .execute();

function event(
  change: ContactEvent['ChangeType'],
  userid: string,
  ext: string,
  createTime: number,
): ContactEvent {
  return {
    ToUserName: TEST_WECOM.corpId,
    CreateTime: createTime,
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: change,
    UserID: userid,
    ExternalUserID: ext,
  };
}

/** Hands the events in together and waits for each one's own outcome. */
async function together(events: ContactEvent[], sync = batchedSync(events.length)) {
  const before = { ...sync.batchStats };
  const outcomes = await Promise.allSettled(events.map((e) => sync.handleEvent(e)));
  const after = sync.batchStats;
  return {
    outcomes,
    batches: after.batches - before.batches,
    fallbacks: after.fallbacks - before.fallbacks,
  };
}

describe('contact events written in one batch', () => {
  it('an add and an edit of one customer in one batch: current data, both entries, one tag line', async () => {
    const [ext] = await app.sim.addCustomers([
      {
        name: '同批客户',
        follow_users: [{ userid: 'zhangsan', remark: '最新备注', tag_ids: ['t-vip'], state: 'live01' }],
      },
    ]);
    const { outcomes, batches } = await together([
      event('edit_external_contact', 'zhangsan', ext!, 1_800_001_010),
      event('add_external_contact', 'zhangsan', ext!, 1_800_001_000),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(batches).toBe(1);

    const relation = await db()
      .selectFrom('follow_relations')
      .selectAll()
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(relation).toMatchObject({ remark: '最新备注', status: 'active', state: 'live01' });
    expect(relation.last_event_at?.getTime()).toBe(1_800_001_010_000);
    const customer = await db()
      .selectFrom('customers')
      .select(['name', 'channel_state'])
      .where('external_userid', '=', ext!)
      .executeTakeFirstOrThrow();
    expect(customer).toEqual({ name: '同批客户', channel_state: 'live01' });
    const kinds = (await timeline(ext!)).map((t) => t.kind).sort();
    expect(kinds).toEqual(['contact_added', 'contact_edited', 'tag_added']);
  });

  it('a poison event fails alone: its neighbours in the batch are written once', async () => {
    const [good1, bad, good2] = await app.sim.addCustomers([
      { name: '好客户一', follow_users: [{ userid: 'zhangsan', tag_ids: ['t-vip'] }] },
      // PostgreSQL text cannot hold NUL: this contact can never be stored
      { name: '坏\u0000客户', follow_users: [{ userid: 'lisi', tag_ids: ['t-vip'] }] },
      { name: '好客户二', follow_users: [{ userid: 'lisi', tag_ids: ['t-vip'] }] },
    ]);
    const { outcomes, batches, fallbacks } = await together([
      event('add_external_contact', 'zhangsan', good1!, 1_800_002_000),
      event('add_external_contact', 'lisi', bad!, 1_800_002_000),
      event('add_external_contact', 'lisi', good2!, 1_800_002_000),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toBe(1);
    expect(fallbacks).toBe(1);

    for (const ext of [good1!, good2!]) {
      expect((await timeline(ext)).map((t) => t.kind)).toEqual(['tag_added', 'contact_added']);
    }
    const stored = await db()
      .selectFrom('customers')
      .select('external_userid')
      .where('external_userid', '=', bad!)
      .execute();
    expect(stored).toEqual([]);
  });

  it('a batch run again (its worker died before acknowledging the jobs) adds no duplicate entries', async () => {
    const ids = await app.sim.addCustomers(
      Array.from({ length: 6 }, (_, i) => ({
        name: `重跑批客户${i}`,
        follow_users: [{ userid: i % 2 ? 'lisi' : 'zhangsan', tag_ids: ['t-vip'] }],
      })),
    );
    const events = ids.map((ext, i) =>
      event('add_external_contact', i % 2 ? 'lisi' : 'zhangsan', ext, 1_800_003_000),
    );
    const sync = batchedSync(events.length);
    const first = await together(events, sync);
    expect(first.outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    const written = await Promise.all(ids.map((ext) => timeline(ext)));

    // BullMQ hands every job of the lost batch out again; they meet in one batch again
    const rerun = await together(events, sync);
    expect(rerun.outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(rerun.batches).toBe(1);
    expect(await Promise.all(ids.map((ext) => timeline(ext)))).toEqual(written);
    for (const entries of written) {
      expect(entries.map((t) => t.kind)).toEqual(['tag_added', 'contact_added']);
    }
  });
});

describe('tags added by sync', () => {
  const evaluations = async (ext: string) =>
    (await app.runtime.ctx.jobs.queue('sop').getJobs(['delayed', 'waiting'])).filter(
      (j) => j.name === 'sop.evaluate-customers' && j.data.externalUserids.includes(ext),
    );

  it('a 高意向 tag asks the SOP engine to evaluate the customer; another tag does not', async () => {
    const intent = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '意向客户' },
      tag_ids: ['t-intent'],
      welcomeCode: false,
    });
    const plain = await app.sim.fire.addExternalContact({
      userid: 'zhangsan',
      customer: { name: '普通客户' },
      tag_ids: ['t-vip'],
      welcomeCode: false,
    });
    await app.drain();
    expect(await evaluations(intent.external_userid)).toHaveLength(1);
    expect(await evaluations(plain.external_userid)).toHaveLength(0);
  });
});
