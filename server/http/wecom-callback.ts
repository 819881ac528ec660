import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError, ERROR_STATUS, errorBody } from '../errors.js';
import type { Services } from '../services/container.js';
import { verifyAndDecrypt } from '../wecom/callback-crypto.js';
import { parseCallbackMessage, parseEnvelope } from '../wecom/callback-events.js';

const PATH = '/wecom/callback';
const MAX_BODY_BYTES = 256 * 1024;

const signedQuery = z.object({
  msg_signature: z.string().min(1),
  timestamp: z.string().min(1),
  nonce: z.string().min(1),
});

function signatureParams(query: URLSearchParams) {
  const parsed = signedQuery.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw new AppError('unauthorized', 'msg_signature, timestamp and nonce are required');
  return {
    msgSignature: parsed.data.msg_signature,
    timestamp: parsed.data.timestamp,
    nonce: parsed.data.nonce,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    return Promise.reject(new AppError('payload_too_large', 'body is too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // the rest is read and discarded; the answer closes the connection
      if (size > MAX_BODY_BYTES) reject(new AppError('payload_too_large', 'body is too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, type: string, body: string) {
  if (status === 413) res.setHeader('connection', 'close');
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * WeCom's callback URL, served by plain Node HTTP ahead of Express: it is the hot path (WeCom
 * retries anything not answered within 5 s, and a busy corp sends bursts), so it skips the
 * general middleware — sessions, helmet, request logging — that it does not need. POST only
 * verifies, decrypts, parses, dedupes and enqueues, and answers `success` once the event is
 * durably queued. Errors answer in the same `{ error: { code, message } }` shape as the API.
 *
 * Returns a request listener that answers true when it handled the request.
 */
export function wecomCallbackHandler(ctx: AppContext, services: Services) {
  const keys = ctx.config.wecom;
  const counter = ctx.metrics.callbacksReceived;
  const logger = ctx.logger.child({ route: PATH });

  async function receive(req: IncomingMessage, query: URLSearchParams) {
    const params = signatureParams(query);
    const body = await readBody(req);
    const plaintext = verifyAndDecrypt(keys, { ...params, encrypted: parseEnvelope(body) });
    return services.callbackIntake.accept(plaintext, parseCallbackMessage(plaintext));
  }

  function verifyUrl(query: URLSearchParams) {
    const echostr = query.get('echostr');
    if (!echostr) throw new AppError('bad_request', 'echostr is required');
    return verifyAndDecrypt(keys, { ...signatureParams(query), encrypted: echostr });
  }

  function fail(res: ServerResponse, err: unknown) {
    const refusal = err instanceof AppError ? err : undefined;
    counter.inc({ result: refusal?.code ?? 'error' });
    if (!refusal) logger.error({ err }, 'callback failed');
    else if (refusal.code !== 'unavailable')
      logger.warn({ code: refusal.code, reason: refusal.message }, 'callback refused');
    const shown = refusal ?? new AppError('internal', 'internal error');
    answer(res, ERROR_STATUS[shown.code], 'application/json', JSON.stringify(errorBody(shown)));
  }

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== PATH) return false;
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    if (req.method === 'POST') {
      receive(req, query).then(
        (result) => {
          counter.inc({ result });
          answer(res, 200, 'text/plain', 'success');
        },
        (err) => fail(res, err),
      );
      return true;
    }
    if (req.method === 'GET') {
      try {
        answer(res, 200, 'text/plain', verifyUrl(query));
      } catch (err) {
        fail(res, err);
      }
      return true;
    }
    return false;
  };
}
