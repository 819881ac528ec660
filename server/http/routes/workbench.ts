import express, { type Router } from 'express';
import { remindRequestSchema } from '../../../shared/workbench.js';
import type { AppContext } from '../../context.js';
import type { Services } from '../../services/container.js';
import { audienceOptions } from '../../services/workbench/audience-options.js';
import { RemindTooSoon, WorkbenchReminders } from '../../services/workbench/reminders.js';
import { requireRole, requireSession } from '../middleware/auth.js';

/**
 * `/api/workbench/*`: what the supervisor workbench needs beyond the SOP and report endpoints —
 * the 提醒 action and the audience picker's options. Supervisors and admins only.
 */
export function workbenchRoutes(ctx: AppContext, services: Services): Router {
  const router = express.Router();
  const reminders = new WorkbenchReminders({
    db: ctx.db,
    redis: ctx.redis,
    keyPrefix: ctx.jobs.prefix,
    clock: ctx.clock,
    wecom: services.wecom,
    publicUrl: ctx.config.publicUrl,
    logger: ctx.logger,
  });
  router.use('/workbench', requireSession, requireRole('supervisor', 'admin'));

  router.post('/workbench/remind', async (req, res) => {
    const { userid } = remindRequestSchema.parse(req.body ?? {});
    try {
      res.json(await reminders.remind(req.user!, userid));
    } catch (err) {
      if (!(err instanceof RemindTooSoon)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(429).json({ error: { code: 'rate_limited', message: err.message } });
    }
  });

  router.get('/workbench/audience-options', async (_req, res) => {
    res.json(await audienceOptions(ctx.db));
  });

  return router;
}
