import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError, type z } from 'zod';
import { ControlError, WeComError } from '../errors.js';

/** A control endpoint: validates the JSON body with `schema` and answers the handler's result as JSON. */
export function withBody<S extends z.ZodType>(
  schema: S,
  fn: (input: z.output<S>, req: Request) => unknown,
): RequestHandler {
  return async (req, res) => {
    const input = schema.parse(req.body ?? {});
    res.json(await fn(input, req));
  };
}

export function withoutBody(fn: (req: Request) => unknown): RequestHandler {
  return async (req, res) => {
    res.json(await fn(req));
  };
}

export function notFound(what: string): ControlError {
  return new ControlError(404, `${what} not found`);
}

export const controlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof ZodError) {
    res.status(400).json({ error: { code: 'invalid_request', message: err.message, issues: err.issues } });
  } else if (err instanceof ControlError) {
    res.status(err.status).json({ error: { code: 'control_error', message: err.message } });
  } else if (err instanceof WeComError) {
    res.status(400).json({ error: { code: 'wecom_error', errcode: err.errcode, message: err.message } });
  } else if (err instanceof SyntaxError) {
    res.status(400).json({ error: { code: 'invalid_json', message: err.message } });
  } else {
    res
      .status(500)
      .json({ error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
  }
};
