import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.js';
import { freshPostgresDatabase, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

let tmp: ReturnType<typeof tempDir>;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;

beforeAll(async () => {
  tmp = tempDir('scrm-import-');
  pgdb = await freshPostgresDatabase();
});
afterAll(async () => {
  await pgdb?.drop();
  tmp?.remove();
});

async function importCli(...args: string[]) {
  const env = { ...process.env, DATA_DIR: tmp.dir, DEMO: '1', DATABASE_URL: pgdb?.url ?? '', REDIS_URL: '' };
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'server/cli/import.ts', ...args], {
      cwd: root,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function csv(name: string, lines: string[]): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ databaseUrl: pgdb?.url, dataDir: tmp.dir });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

describe('npm run import', () => {
  const orders = () =>
    csv('orders.csv', [
      'orderId,externalUserId,amount,status,paidAt,items',
      'csv-o1,csv-wm1,199.90,paid,2025-03-01T10:00:00+08:00,"[{""sku"":""S1"",""name"":""面霜"",""qty"":1,""price"":""199.90""}]"',
      'csv-o2,csv-wm1,0.1,paid,2025-03-02T10:00:00+08:00,',
      'csv-o3,csv-wm2,10.005,paid,2025-03-03T10:00:00+08:00,',
      'csv-o4,csv-wm2,50,refunded,2025-03-04T10:00:00+08:00,',
      'csv-o5,csv-wm2,50,paid,2025-03-05T10:00:00+08:00,[{broken',
    ]);

  it('imports valid lines, lists rejected ones by line number, and exits 2', async () => {
    const result = await importCli('orders', orders());
    expect(result.stdout).toContain('5 records — imported 3, updated 0, unchanged 0, rejected 2');
    expect(result.stdout).toMatch(/rejected line 4: amount: .*2 decimals/);
    expect(result.stdout).toContain('rejected line 6: items: not valid JSON');
    expect(result.code).toBe(2);
    const stats = await withDb((db) =>
      db
        .selectFrom('customers')
        .select(['external_userid', 'total_spent_fen', 'order_count', 'refund_count'])
        .orderBy('external_userid')
        .execute(),
    );
    expect(stats).toEqual([
      { external_userid: 'csv-wm1', total_spent_fen: 20_000, order_count: 2, refund_count: 0 },
      { external_userid: 'csv-wm2', total_spent_fen: 0, order_count: 0, refund_count: 1 },
    ]);
  });

  it('is harmless to run twice', async () => {
    const result = await importCli('orders', orders());
    expect(result.stdout).toContain('imported 0, updated 0, unchanged 3, rejected 2');
    const n = await withDb((db) =>
      db
        .selectFrom('timeline')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(Number(n.n)).toBe(4); // two paid, one paid + refunded
  });

  it('imports events and coupons the same way, and refuses a file with unknown columns', async () => {
    const events = await importCli(
      'events',
      csv('events.csv', [
        'eventId,externalUserId,kind,occurredAt,data',
        'csv-e1,csv-wm3,product_view,2025-03-01T10:00:00Z,"{""sku"":""S1""}"',
        'csv-e2,csv-wm3,teleport,2025-03-01T10:00:00Z,',
      ]),
    );
    expect(events.stdout).toContain('imported 1, updated 0, unchanged 0, rejected 1');
    expect(events.stdout).toMatch(/rejected line 3: kind: must be one of/);
    const coupons = await importCli(
      'coupons',
      csv('coupons.csv', [
        'couponId,externalUserId,name,value,issuedAt,expiresAt,usedAt',
        'csv-c1,csv-wm3,满100减10,10,2025-03-01T00:00:00Z,2025-04-01T00:00:00Z,2025-03-02T00:00:00Z',
      ]),
    );
    expect(coupons.code).toBe(0);
    expect(coupons.stdout).toContain('imported 1, updated 0, unchanged 0, rejected 0');

    const bad = await importCli('coupons', csv('bad.csv', ['couponId,externalUserId,nme', 'x,y,z']));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /missing column\(s\) name, value, issuedAt, expiresAt; unknown column\(s\) nme/,
    );
    const usage = await importCli('refunds', 'x.csv');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('usage: npm run import');
  });
});
