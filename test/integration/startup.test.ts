import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
