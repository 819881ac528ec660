import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { QUEUE_NAMES } from '../../jobs/catalogue.js';
import { requireRole, requireSession } from '../middleware/auth.js';
import { sessions } from '../middleware/session.js';

const BASE = '/admin/queues';

/** BullMQ's queue dashboard (bull-board), for admins only. */
export function adminQueueRoutes(ctx: AppContext): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BASE);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(ctx.jobs.queue(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: '私域助手 队列' } },
  });
  const router = Router();
  router.use(BASE, sessions(ctx), requireSession, requireRole('admin'), adapter.getRouter());
  return router;
}
