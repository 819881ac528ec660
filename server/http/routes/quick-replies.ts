import express, { type Router } from 'express';
import { z } from 'zod';
import { quickReplySearchSchema } from '../../../shared/quick-replies.js';
import type { Services } from '../../services/container.js';
import { requireRole } from '../middleware/auth.js';

const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** `/api/quick-replies`: everyone with a session searches and counts sends; supervisors/admins edit. */
export function quickReplyRoutes(services: Services): Router {
  const router = express.Router();
  const editors = requireRole('supervisor', 'admin');

  router.get('/quick-replies', async (req, res) => {
    res.json(await services.quickReplies.search(quickReplySearchSchema.parse(req.query)));
  });

  router.post('/quick-replies', editors, async (req, res) => {
    res.status(201).json(await services.quickReplies.create(req.user!, req.body));
  });

  router.put('/quick-replies/:id', editors, async (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(await services.quickReplies.update(id, req.body));
  });

  router.delete('/quick-replies/:id', editors, async (req, res) => {
    const { id } = idParams.parse(req.params);
    await services.quickReplies.remove(id);
    res.status(204).end();
  });

  router.post('/quick-replies/:id/sent', async (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(await services.quickReplies.markSent(id));
  });

  return router;
}
