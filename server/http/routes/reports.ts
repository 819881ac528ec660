import express, { type Router } from 'express';
import { reportRangeSchema } from '../../../shared/sop.js';
import type { Services } from '../../services/container.js';
import { requireRole, requireSession } from '../middleware/auth.js';

/** `/api/reports/{tasks,sop,growth}?from&to` (Asia/Shanghai days, inclusive): supervisors and admins. */
export function reportRoutes(services: Services): Router {
  const router = express.Router();
  const { reports } = services.sop;
  const lead = [requireSession, requireRole('supervisor', 'admin')];

  router.get('/reports/tasks', ...lead, async (req, res) => {
    res.json(await reports.tasks(reportRangeSchema.parse(req.query)));
  });

  router.get('/reports/sop', ...lead, async (req, res) => {
    res.json(await reports.sop(reportRangeSchema.parse(req.query)));
  });

  router.get('/reports/growth', ...lead, async (req, res) => {
    res.json(await reports.growth(reportRangeSchema.parse(req.query)));
  });

  return router;
}
