import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST_INDEX = path.join(ROOT, 'sidebar/dist/index.html');
const SOURCES = [
  'sidebar/src',
  'sidebar/public',
  'shared',
  'sidebar/index.html',
  'sidebar/demo.html',
  'sidebar/vite.config.ts',
];

function newestMtime(p: string): number {
  const stat = statSync(p, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

/** Builds sidebar/dist (vite build), as `npm run build:sidebar` does. */
export function buildSidebar(): void {
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'sidebar/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/**
 * Builds sidebar/dist when it is missing or older than its sources. Runs once, in the global setup,
 * before any test file: a build empties dist first, so a file building it while another served
 * pages from it left that other file's browser with 404s.
 */
export function buildSidebarIfStale(): void {
  const built = statSync(DIST_INDEX, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(...SOURCES.map((p) => newestMtime(path.join(ROOT, p))));
  if (built <= sources) buildSidebar();
}
