import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { platform } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config.js';
import type { Logger } from './logger.js';
import { freePort } from './net.js';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function isDebianLike(): boolean {
  if (platform() !== 'linux' || !existsSync('/etc/os-release')) return false;
  return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync('/etc/os-release', 'utf8'));
}

/** Makes sure `redis-server` is on PATH, installing Debian's package when we are root there. */
export function ensureRedisServerInstalled(logger: Logger): void {
  if (onPath('redis-server')) return;
  if (isDebianLike() && process.getuid?.() === 0) {
    logger.info('redis-server not found: installing the redis-server package with apt-get');
    try {
      execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq redis-server'], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      throw new ConfigError('installing redis-server with apt-get failed; install it or set REDIS_URL');
    }
    if (onPath('redis-server')) return;
  }
  throw new ConfigError(
    'redis-server is not installed: install it (apt-get install redis-server / brew install redis) or set REDIS_URL',
  );
}

function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server'))
      process.kill(pid, 'SIGTERM');
  } catch {
    // not running any more
  }
  try {
    unlinkSync(pidFile);
  } catch {
    // already gone
  }
}

async function waitForPort(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const { default: net } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start listening in time');
}

/**
 * Starts a private redis-server on a free loopback port. With `dir` it keeps an AOF there
 * (the product's embedded default); without, it keeps nothing (tests).
 */
export async function startLocalRedis(options: {
  dir?: string;
  port?: number;
  logger: Logger;
}): Promise<LocalRedis> {
  ensureRedisServerInstalled(options.logger);
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  let pidFile: string | undefined;
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    pidFile = path.join(options.dir, 'redis.pid');
    killStale(pidFile);
    args.push('--dir', options.dir, '--appendonly', 'yes', '--pidfile', pidFile);
  } else {
    args.push('--appendonly', 'no');
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) =>
    options.logger.warn({ redis: d.toString().trim() }, 'redis-server'),
  );
  await waitForPort(child, port, 10_000);
  options.logger.info({ port, dir: options.dir }, 'local redis-server started');

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    return stopped;
  };
  // A crash of ours must not leave the server running.
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { url: `redis://127.0.0.1:${port}`, stop };
}
