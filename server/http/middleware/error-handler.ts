import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, ERROR_STATUS, errorBody } from '../../errors.js';
import type { Logger } from '../../infra/logger.js';

export function zodIssues(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}` } });
};

/** The one error path: application errors by code, validation → 400, the rest → generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof AppError) {
      res.status(ERROR_STATUS[err.code]).json(errorBody(err));
      return;
    }
    if (err instanceof ZodError) {
      res.status(400).json({
        error: { code: 'validation_failed', message: 'request is invalid', issues: zodIssues(err) },
      });
      return;
    }
    // body-parser and friends signal client errors with a status and `expose`.
    const status =
      (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'payload_too_large' : 'bad_request';
      res.status(status).json({ error: { code, message: (err as Error).message } });
      return;
    }
    logger.error({ err, requestId: req.id, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error', requestId: req.id } });
  };
}
