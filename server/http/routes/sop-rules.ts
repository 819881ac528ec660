import express, { type Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../services/container.js';
import { requireRole, requireSession } from '../middleware/auth.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** `/api/sop-rules` and `/api/sop-settings`: supervisors and admins only. */
export function sopRuleRoutes(services: Services): Router {
  const router = express.Router();
  const { rules, engine, settings } = services.sop;
  router.use(['/sop-rules', '/sop-settings'], requireSession, requireRole('supervisor', 'admin'));

  router.get('/sop-rules', async (_req, res) => {
    res.json({ rules: await rules.list() });
  });

  router.post('/sop-rules', async (req, res) => {
    res.status(201).json(await rules.create(req.body));
  });

  router.get('/sop-rules/:id', async (req, res) => {
    res.json(await rules.get(idParams.parse(req.params).id));
  });

  router.put('/sop-rules/:id', async (req, res) => {
    res.json(await rules.update(idParams.parse(req.params).id, req.body));
  });

  /** Runs the rule's scan now: `{ matched, created, capped, skipped }`. */
  router.post('/sop-rules/:id/run', async (req, res) => {
    res.json(await engine.runRule(idParams.parse(req.params).id));
  });

  router.get('/sop-settings', async (_req, res) => {
    res.json(await settings.get());
  });

  router.put('/sop-settings', async (req, res) => {
    res.json(await settings.put(req.body));
  });

  return router;
}
