import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../server/db/migrations/index.js';

function start(env: Record<string, string>) {
  return spawnSync('node', ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up with bad configuration', () => {
  it.each([
    [{ DEMO: '0' }, 'WECOM_CORP_ID is required'],
    [{ PORT: '99999' }, 'PORT is invalid'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL is invalid'],
  ])('%o stops with one line naming the variable', (env, message) => {
    const result = start(env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('npm run migrate', () => {
  it('applies every migration to a new embedded database, then reports it up to date', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scrm-migrate-'));
    try {
      const run = () =>
        spawnSync('node', ['--import', 'tsx', 'server/cli/migrate.ts'], {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, VITEST: '1' },
          encoding: 'utf8',
          timeout: 60_000,
        });
      const first = run();
      expect(first.status).toBe(0);
      expect(first.stdout).toContain(`applied: ${Object.keys(migrations).sort().join(', ')}`);
      const second = run();
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('the database is up to date');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
