import express, { type Router } from 'express';
import { z } from 'zod';
import { jssdkRequestSchema } from '../../../shared/customer.js';
import type { Services } from '../../services/container.js';
import { requireSession } from '../middleware/auth.js';
import { customerRoutes } from './customers.js';
import { quickReplyRoutes } from './quick-replies.js';

const groupParams = z.object({ chatId: z.string().min(1).max(128) });

/** The sidebar's API under /api (mount after the session and Origin middleware): session required. */
export function sidebarApiRoutes(services: Services): Router {
  const router = express.Router();
  const paths = ['/customers', '/groups', '/jssdk', '/quick-replies', '/tags'];
  router.use(paths, requireSession);

  router.use(customerRoutes(services));
  router.use(quickReplyRoutes(services));

  router.get('/groups/:chatId', async (req, res) => {
    const { chatId } = groupParams.parse(req.params);
    res.json(await services.groupViews.get(req.user!, chatId));
  });

  router.post('/jssdk/signatures', async (req, res) => {
    const { url } = jssdkRequestSchema.parse(req.body);
    res.json(await services.jssdk.sign(url));
  });

  router.get('/tags', async (_req, res) => {
    res.json(await services.customerTags.catalogue());
  });

  return router;
}
