import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../context.js';
import type { Services } from '../services/container.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { healthRoutes } from './routes/health.js';
import { sidebarStatic } from './sidebar-static.js';

/** Builds the Express app without listening, so tests and benchmarks can mount it anywhere. */
export function createApp(ctx: AppContext, _services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(requestId);
  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req) => (req as express.Request).id,
      autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use((req, res, next) => {
    const end = ctx.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  const https = ctx.config.publicUrl.startsWith('https:');
  app.use(
    helmet({
      hsts: https,
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // the sidebar runs inside WeCom's webview and the demo window frames it
          'frame-ancestors': ["'self'", '*.work.weixin.qq.com', '*.qq.com'],
          'img-src': ["'self'", 'data:', 'https:', 'http:'],
          'script-src': ["'self'", 'https://wwcdn.weixin.qq.com', 'https://res.wx.qq.com'],
          'connect-src': ["'self'", 'https:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      frameguard: false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(healthRoutes(ctx));
  app.use('/api', express.json({ limit: '1mb' }));
  app.use(sidebarStatic());

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));
  return app;
}
