import express, { type Router } from 'express';
import { INGEST_KINDS } from '../../../shared/ingest.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services/container.js';
import { parseIngestBatch } from '../../services/ingest/validate.js';
import { ingestSignature } from '../middleware/ingest-signature.js';

/** 1,000 orders with a few lines each fit comfortably; larger bodies answer 413 before reading. */
export const INGEST_BODY_LIMIT = '4mb';

/**
 * `POST /api/ingest/{orders|events|coupons}` for business systems: HMAC-signed over the raw body
 * instead of a session, so it is mounted before the JSON parser, session and Origin checks of /api.
 */
export function ingestRoutes(ctx: AppContext, services: Services): Router {
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: INGEST_BODY_LIMIT });
  const signed = ingestSignature(ctx.config.ingestSecret, ctx.clock);
  for (const kind of INGEST_KINDS) {
    router.post(`/${kind}`, rawBody, signed, async (req, res) => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
      } catch {
        throw new AppError('bad_request', 'body must be JSON');
      }
      const items = parseIngestBatch(kind, body);
      const result = await services.ingest.ingest(kind, items);
      await services.sop.engine.afterIngest(kind, items); // committed: SOP follow-ups (never throws)
      res.json(result);
    });
  }
  return router;
}
