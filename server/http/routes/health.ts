import { Router } from 'express';
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { pingRedis } from '../../infra/redis.js';

async function pingDatabase(ctx: AppContext, timeoutMs = 2000): Promise<boolean> {
  try {
    await Promise.race([
      sql`select 1`.execute(ctx.db),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, redis] = await Promise.all([pingDatabase(ctx), pingRedis(ctx.redis)]);
    res
      .status(postgres && redis ? 200 : 503)
      .json({ status: postgres && redis ? 'ok' : 'unavailable', postgres, redis });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}
