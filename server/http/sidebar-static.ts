import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const API_PREFIXES = ['/api/', '/auth/', '/wecom/', '/admin/', '/demo', '/metrics', '/healthz', '/readyz'];

export function findSidebarDist(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // server/http → repo root, or dist/server/http → repo root
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(here, up, 'sidebar/dist');
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** Serves the built Vue app from the API's origin, with history-mode fallback to index.html. */
export function sidebarStatic(): Router {
  const router = express.Router();
  const dist = findSidebarDist();
  if (!dist) {
    router.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send('私域助手 API is running. Build the sidebar with `npm run build` to serve the UI.');
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '1y', index: false }),
  );
  router.use(express.static(dist, { index: false, maxAge: 0 }));
  router.get(/.*/, (req, res, next) => {
    if (API_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dist, 'index.html'));
  });
  return router;
}
