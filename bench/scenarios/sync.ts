import { Queue, Worker } from 'bullmq';
import { sql } from 'kysely';
import { redisOptionsFromUrl } from '../../server/infra/redis.js';
import { QUEUE_CONCURRENCY } from '../../server/queue/workers.js';
import type { ContactEvent } from '../../server/wecom/callback-events.js';
import { SimulatorClient } from '../../simulator/index.js';
import type { Figure, Scenario } from '../harness.js';
import { BENCH_WECOM } from '../load/bench-wecom.js';
import { freshBenchDatabase, startBenchApp, startSimulatorProcess } from '../support.js';

const EVENTS = Number(process.env.BENCH_SYNC_EVENTS ?? 5_000);
const INITIAL = Number(process.env.BENCH_SYNC_CUSTOMERS ?? 100_000);
const STAFF = 20;
/** the bare worker runs as wide as the sync queue's workers */
const WORKER_CONCURRENCY = QUEUE_CONCURRENCY.sync;

function cpuPerJobUs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / EVENTS;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Callback-to-database throughput on PostgreSQL: add_external_contact jobs fully processed (contact
 * fetched from the simulator over HTTP; customer, relation, tags and timeline written), next to a
 * worker doing one bare upsert per job on the same database with the same concurrency. Then the
 * initial sync: customers imported per second from batch/get_by_user pages.
 */
export function syncScenario(): Scenario {
  let sim: Awaited<ReturnType<typeof startSimulatorProcess>>;
  let client: SimulatorClient;
  let externalIds: string[] = [];
  const staff = Array.from({ length: STAFF }, (_, i) => `bench-staff-${i}`);
  return {
    name: 'sync',
    description: `${EVENTS.toLocaleString()} add_external_contact events processed, and an initial sync of ${INITIAL.toLocaleString()} customers, on PostgreSQL`,
    // three, so the median is not the mean of a cold run (JIT, pools) and a warm one
    runs: Number(process.env.BENCH_RUNS ?? 3),
    async setup() {
      sim = await startSimulatorProcess(BENCH_WECOM);
      client = new SimulatorClient(sim.url);
      await client.addStaff(...staff.map((userid) => ({ userid, name: userid, hasContactPermission: true })));
      await client.upsertTagGroups({
        group_id: 'g-bench',
        group_name: '等级',
        tags: [
          { id: 't-a', name: 'A' },
          { id: 't-b', name: 'B' },
        ],
      });
      externalIds = await client.generateCustomers({ count: EVENTS, userids: staff, tag_ids: ['t-a'] });
      await client.generateCustomers({ count: INITIAL, userids: staff, tag_ids: ['t-b'] });
    },
    async run(iteration) {
      const database = await freshBenchDatabase(`scrm_bench_sync_${iteration}`);
      const app = await startBenchApp({
        databaseUrl: database.url,
        roles: new Set(['worker']),
        wecom: { ...BENCH_WECOM, apiBase: sim.url, oauthBase: sim.url, botWebhookKey: undefined },
      });
      const { ctx, services } = app.runtime;
      try {
        // baseline: the same number of jobs, each one bare upsert on the same database
        const redisUrl = `redis://${ctx.redis.options.host}:${ctx.redis.options.port}`;
        const connection = redisOptionsFromUrl(redisUrl);
        await sql`create table if not exists bench_upsert (id text primary key, n int not null)`.execute(
          ctx.db,
        );
        const bareQueue = new Queue('bench-bare', { connection, prefix: `bare${iteration}` });
        let bareDone = 0;
        const bareWorker = new Worker(
          'bench-bare',
          async (job) => {
            await sql`insert into bench_upsert (id, n) values (${job.data.id}, 1)
                      on conflict (id) do update set n = bench_upsert.n + 1`.execute(ctx.db);
            bareDone++;
          },
          {
            connection: { ...connection, maxRetriesPerRequest: null },
            prefix: `bare${iteration}`,
            concurrency: WORKER_CONCURRENCY,
            autorun: false,
          },
        );
        await bareQueue.addBulk(externalIds.map((id) => ({ name: 'upsert', data: { id } })));
        let started = Date.now();
        let cpuBefore = process.cpuUsage();
        void bareWorker.run();
        await waitUntil(async () => bareDone >= EVENTS, 300_000);
        const bareSeconds = (Date.now() - started) / 1000;
        const bareCpuUs = cpuPerJobUs(process.cpuUsage(cpuBefore));
        await bareWorker.close();
        await bareQueue.obliterate({ force: true });
        await bareQueue.close();

        // the real thing: contact events through the registry's sync worker
        const now = Math.floor(Date.now() / 1000);
        const events: ContactEvent[] = externalIds.map((ext, i) => ({
          ToUserName: BENCH_WECOM.corpId,
          CreateTime: now,
          MsgType: 'event',
          Event: 'change_external_contact',
          ChangeType: 'add_external_contact',
          UserID: staff[i % STAFF]!,
          ExternalUserID: ext,
        }));
        // queued first, like the baseline's jobs, so neither timer includes enqueueing
        const syncQueue = ctx.jobs.queue('sync');
        await syncQueue.pause();
        await ctx.jobs.enqueueMany(
          'wecom.contact-event',
          events.map((data, i) => ({ data, options: { jobId: `bench-${iteration}-${i}` } })),
        );
        started = Date.now();
        cpuBefore = process.cpuUsage();
        await syncQueue.resume();
        // completed jobs are trimmed (removeOnComplete), so wait for the queue to empty instead
        await waitUntil(async () => {
          const c = await syncQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0;
        }, 600_000);
        const eventSeconds = (Date.now() - started) / 1000;
        const eventCpuUs = cpuPerJobUs(process.cpuUsage(cpuBefore));
        const failed = await syncQueue.getFailedCount();
        if (failed) throw new Error(`${failed} contact-event jobs failed`);

        // initial sync
        started = Date.now();
        const result = await services.fullSync.run(`bench-${iteration}`);
        const syncSeconds = (Date.now() - started) / 1000;
        return [
          {
            name: 'bare upsert worker jobs/s',
            value: EVENTS / bareSeconds,
            unit: 'jobs/s',
            better: 'higher',
          },
          {
            name: 'add_external_contact events/s',
            value: EVENTS / eventSeconds,
            unit: 'events/s',
            better: 'higher',
            baseline: 'bare upsert worker jobs/s',
          },
          {
            // the worker runs in this process: its CPU (user + system) per job explains the ratio
            name: 'bare worker CPU per job',
            value: bareCpuUs,
            unit: 'µs',
            better: 'lower',
          },
          {
            name: 'sync worker CPU per event',
            value: eventCpuUs,
            unit: 'µs',
            better: 'lower',
            baseline: 'bare worker CPU per job',
          },
          {
            name: 'initial sync customers/s',
            value: result.customers / syncSeconds,
            unit: 'customers/s',
            better: 'higher',
          },
        ] satisfies Figure[];
      } finally {
        await app.stop();
        await database.drop();
      }
    },
    async teardown() {
      await sim.stop();
    },
  };
}
