import express, { type Router } from 'express';
import { z } from 'zod';
import { customerReportQueryExtra } from '../../../shared/analytics.js';
import { analyticsRangeSchema, queryBoolean } from '../../../shared/channels.js';
import { flagListQuerySchema } from '../../../shared/data-quality.js';
import { targetsQuerySchema } from '../../../shared/targets.js';
import type { Services } from '../../services/container.js';
import { requireRole, requireSession } from '../middleware/auth.js';

const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/**
 * Acquisition channels, their report and the business reports, monthly targets and data quality —
 * supervisors and admins only:
 *   /api/channels, /api/reports/{channels,customers,content}, /api/targets, /api/data-quality/*
 */
export function acquisitionRoutes(services: Services): Router {
  const router = express.Router();
  const { channels, analytics, dataQuality } = services;
  router.use(
    ['/channels', '/reports/channels', '/reports/customers', '/reports/content', '/targets', '/data-quality'],
    requireSession,
    requireRole('supervisor', 'admin'),
  );

  router.get('/channels', async (req, res) => {
    const { includeDeleted } = z.object({ includeDeleted: queryBoolean }).parse(req.query);
    res.json({ channels: await channels.list({ includeDeleted }) });
  });
  router.post('/channels', async (req, res) => {
    res.status(201).json(await channels.create(req.user!.userid, req.body));
  });
  router.get('/channels/:id', async (req, res) => {
    res.json(await channels.get(idParams.parse(req.params).id));
  });
  /** the QR code as an image of this origin; `?download=1` as an attachment */
  router.get('/channels/:id/qr', async (req, res) => {
    const qr = await channels.qrImage(idParams.parse(req.params).id);
    const { download } = z.object({ download: queryBoolean }).parse(req.query);
    res.setHeader('content-type', qr.contentType);
    res.setHeader('cache-control', 'private, max-age=3600');
    if (download) {
      res.setHeader(
        'content-disposition',
        `attachment; filename="channel-qr.png"; filename*=UTF-8''${encodeURIComponent(qr.fileName)}`,
      );
    }
    res.end(qr.body);
  });
  router.put('/channels/:id', async (req, res) => {
    res.json(await channels.update(idParams.parse(req.params).id, req.body));
  });
  router.delete('/channels/:id', async (req, res) => {
    await channels.remove(idParams.parse(req.params).id);
    res.status(204).end();
  });

  router.get('/reports/channels', async (req, res) => {
    res.json(await analytics.channels(analyticsRangeSchema.parse(req.query)));
  });
  router.get('/reports/customers', async (req, res) => {
    const range = analyticsRangeSchema.parse(req.query);
    res.json(await analytics.customers({ ...range, ...customerReportQueryExtra.parse(req.query) }));
  });
  router.get('/reports/content', async (req, res) => {
    res.json(await analytics.content(analyticsRangeSchema.parse(req.query)));
  });

  router.get('/targets', async (req, res) => {
    res.json(await analytics.targets(targetsQuerySchema.parse(req.query)));
  });
  router.put('/targets', async (req, res) => {
    res.json(await analytics.putTargets(req.user!.userid, req.body));
  });

  router.get('/data-quality/flags', async (req, res) => {
    res.json(await dataQuality.list(flagListQuerySchema.parse(req.query)));
  });
  router.post('/data-quality/flags/:id/clear', async (req, res) => {
    res.json(await dataQuality.clear(idParams.parse(req.params).id, req.user!.userid));
  });
  router.post('/data-quality/scan', async (_req, res) => {
    res.json(await dataQuality.scan());
  });
  router.get('/data-quality/rules', async (_req, res) => {
    res.json(await dataQuality.rules());
  });
  router.put('/data-quality/rules', async (req, res) => {
    res.json(await dataQuality.putRules(req.body));
  });

  return router;
}
