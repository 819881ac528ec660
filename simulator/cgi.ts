import express, { type Request, type Response, type Router } from 'express';
import { ErrCode, errmsgFor, WeComError } from './errors.js';
import { normalizeApiPath, type SimulatorState } from './state.js';

export type Params = Record<string, unknown>;

export interface CgiRequest {
  query: Record<string, string>;
  body: Params;
  req: Request;
}

type CgiHandler = (r: CgiRequest) => Params | Promise<Params>;

interface RouteOptions {
  /** false for gettoken, webhook/send: no access_token */
  auth?: boolean;
}

function flattenQuery(query: Request['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

function parseBody(raw: unknown): Params {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WeComError(ErrCode.invalidJson);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WeComError(ErrCode.invalidJson);
  }
  return parsed as Params;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Routes under /cgi-bin with WeCom's envelope: every answer is HTTP 200 JSON with errcode/errmsg.
 * Each call is counted, may be answered by an injected fault, and (by default) needs a live token.
 */
export class CgiRouter {
  readonly router: Router = express.Router();

  constructor(private readonly state: SimulatorState) {
    this.router.use(express.text({ type: () => true, limit: '50mb' }));
  }

  get(path: string, handler: CgiHandler, options: RouteOptions = {}): void {
    this.router.get(`/${path}`, (req, res) => this.handle(path, handler, options, req, res));
  }

  post(path: string, handler: CgiHandler, options: RouteOptions = {}): void {
    this.router.post(`/${path}`, (req, res) => this.handle(path, handler, options, req, res));
  }

  private async handle(
    path: string,
    handler: CgiHandler,
    options: RouteOptions,
    req: Request,
    res: Response,
  ): Promise<void> {
    const apiPath = normalizeApiPath(path);
    this.state.countCall(apiPath);
    const query = flattenQuery(req.query);
    try {
      const fault = this.state.takeFault(apiPath);
      if (fault) {
        if (fault.delayMs) await sleep(fault.delayMs);
        if (fault.httpStatus !== undefined) {
          res.status(fault.httpStatus).type('text/plain').send('');
          return;
        }
        if (fault.errcode !== 0) throw new WeComError(fault.errcode, fault.errmsg);
      }
      if (options.auth !== false)
        this.state.credentials.checkToken(query.access_token, this.state.clock.nowMs());
      const result = await handler({ query, body: parseBody(req.body), req });
      res.json({ errcode: 0, errmsg: 'ok', ...result });
    } catch (err) {
      if (err instanceof WeComError) {
        res.json({ errcode: err.errcode, errmsg: err.message });
        return;
      }
      res.json({ errcode: ErrCode.busy, errmsg: errmsgFor(ErrCode.busy, String(err)) });
    }
  }
}
