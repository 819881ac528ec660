import express, { type Router } from 'express';
import { z } from 'zod';
import { skipTaskSchema, taskListQuerySchema } from '../../../shared/sop.js';
import type { Services } from '../../services/container.js';
import { requireSession } from '../middleware/auth.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** `/api/tasks`: a salesperson's SOP tasks (scope=mine), the team's for supervisors (scope=team). */
export function taskRoutes(services: Services): Router {
  const router = express.Router();
  const { tasks } = services.sop;
  router.use('/tasks', requireSession);

  router.get('/tasks', async (req, res) => {
    res.json(await tasks.list(req.user!, taskListQuerySchema.parse(req.query)));
  });

  router.get('/tasks/:id', async (req, res) => {
    res.json(await tasks.get(req.user!, idParams.parse(req.params).id));
  });

  /** The sidebar sent the task's message into the chat. */
  router.post('/tasks/:id/sent', async (req, res) => {
    res.json(await tasks.markSent(req.user!, idParams.parse(req.params).id));
  });

  router.post('/tasks/:id/skip', async (req, res) => {
    const { reason } = skipTaskSchema.parse(req.body ?? {});
    res.json(await tasks.skip(req.user!, idParams.parse(req.params).id, reason));
  });

  return router;
}
