import express, { type Router } from 'express';
import { z } from 'zod';
import { noteInputSchema, tagEditSchema } from '../../../shared/customer.js';
import { quickReplySearchSchema } from '../../../shared/quick-replies.js';
import type { Services } from '../../services/container.js';

const params = z.object({ externalUserId: z.string().min(1).max(128) });
const timelineQuery = z.object({
  before: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** `/api/customers/:externalUserId…`: the customer 360 and what staff do to a customer. Session required. */
export function customerRoutes(services: Services): Router {
  const router = express.Router();

  router.get('/customers/:externalUserId', async (req, res) => {
    const { externalUserId } = params.parse(req.params);
    res.json(await services.customerProfiles.get(req.user!, externalUserId));
  });

  router.get('/customers/:externalUserId/timeline', async (req, res) => {
    const { externalUserId } = params.parse(req.params);
    res.json(
      await services.customerProfiles.timeline(req.user!, externalUserId, timelineQuery.parse(req.query)),
    );
  });

  router.put('/customers/:externalUserId/tags', async (req, res) => {
    const { externalUserId } = params.parse(req.params);
    res.json(await services.customerTags.edit(req.user!, externalUserId, tagEditSchema.parse(req.body)));
  });

  router.post('/customers/:externalUserId/notes', async (req, res) => {
    const { externalUserId } = params.parse(req.params);
    res
      .status(201)
      .json(await services.customerNotes.add(req.user!, externalUserId, noteInputSchema.parse(req.body)));
  });

  router.get('/customers/:externalUserId/quick-replies', async (req, res) => {
    const { externalUserId } = params.parse(req.params);
    const filter = quickReplySearchSchema.parse(req.query);
    res.json(await services.quickReplies.renderFor(req.user!, externalUserId, filter));
  });

  return router;
}
