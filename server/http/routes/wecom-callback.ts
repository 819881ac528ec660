import express, { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services/container.js';
import { verifyAndDecrypt } from '../../wecom/callback-crypto.js';
import { parseCallbackMessage, parseEnvelope } from '../../wecom/callback-events.js';

const signedQuery = z.object({
  msg_signature: z.string().min(1),
  timestamp: z.string().min(1),
  nonce: z.string().min(1),
});

function signatureParams(query: unknown) {
  const parsed = signedQuery.safeParse(query);
  if (!parsed.success) throw new AppError('unauthorized', 'msg_signature, timestamp and nonce are required');
  return {
    msgSignature: parsed.data.msg_signature,
    timestamp: parsed.data.timestamp,
    nonce: parsed.data.nonce,
  };
}

/**
 * WeCom's callback URL. The POST handler only verifies, decrypts, parses, dedupes and enqueues —
 * no database or WeCom call — and answers `success` once the event is durably queued. It is
 * mounted ahead of the general middleware so the hot path stays short.
 */
export function wecomCallbackRoutes(ctx: AppContext, services: Services): Router {
  const router = Router();
  const keys = ctx.config.wecom;
  const counter = ctx.metrics.callbacksReceived;

  router.get('/wecom/callback', (req, res) => {
    const echostr = typeof req.query.echostr === 'string' ? req.query.echostr : '';
    if (!echostr) throw new AppError('bad_request', 'echostr is required');
    const plain = verifyAndDecrypt(keys, { ...signatureParams(req.query), encrypted: echostr });
    res.type('text/plain').send(plain);
  });

  router.post('/wecom/callback', express.text({ type: () => true, limit: '256kb' }), async (req, res) => {
    try {
      const params = signatureParams(req.query);
      const body = typeof req.body === 'string' ? req.body : '';
      const plaintext = verifyAndDecrypt(keys, { ...params, encrypted: parseEnvelope(body) });
      const result = await services.callbackIntake.accept(plaintext, parseCallbackMessage(plaintext));
      counter.inc({ result });
      res.type('text/plain').send('success');
    } catch (err) {
      counter.inc({ result: err instanceof AppError ? err.code : 'error' });
      throw err;
    }
  });
  return router;
}
