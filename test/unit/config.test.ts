import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { tempDir } from '../support/test-app.js';

const production = {
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'a-secret',
  WECOM_TOKEN: 'token',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  INGEST_SECRET: 'ingest-secret-0123456789',
  SESSION_SECRET: 'session-secret-0123456789',
};

describe('loadConfig', () => {
  const tmp = tempDir();
  afterEach(() => undefined);

  it('defaults to demo mode with generated secrets kept in DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: tmp.dir });
    expect(config.demo).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect([...config.roles]).toEqual(['api', 'worker', 'scheduler']);
    expect(config.wecom.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    const file = path.join(tmp.dir, 'demo-secrets.json');
    expect(existsSync(file)).toBe(true);
    const again = loadConfig({ DATA_DIR: tmp.dir });
    expect(again.sessionSecret).toBe(config.sessionSecret);
    expect(JSON.parse(readFileSync(file, 'utf8')).corpId).toBe(config.wecom.corpId);
  });

  it('parses a production environment', () => {
    const config = loadConfig({
      ...production,
      PORT: '8080',
      PUBLIC_URL: 'https://scrm.example.com/',
      ROLES: 'api, worker',
      SUPERVISOR_USERIDS: 'zhangsan, lisi',
    });
    expect(config.demo).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.publicOrigin).toBe('https://scrm.example.com');
    expect([...config.roles]).toEqual(['api', 'worker']);
    expect(config.supervisorUserids).toEqual(['zhangsan', 'lisi']);
    expect(config.wecom.agentId).toBe(1000002);
  });

  it.each([
    [{ ...production, WECOM_SECRET: '' }, 'WECOM_SECRET is required'],
    [{ ...production, PORT: 'eighty' }, 'PORT is invalid'],
    [{ ...production, ROLES: 'api,cron' }, 'ROLES'],
    [
      { ...production, WECOM_ENCODING_AES_KEY: 'short' },
      'WECOM_ENCODING_AES_KEY is invalid: must be 43 letters and digits',
    ],
    [{ ...production, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL is invalid: must be a postgres:// URL'],
    [{ ...production, INGEST_SECRET: 'short' }, 'INGEST_SECRET is invalid'],
    [{ DEMO: '0' }, 'WECOM_CORP_ID is required'],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
