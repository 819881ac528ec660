import { createServer, type Server } from 'node:http';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../context.js';
import type { Services } from '../services/container.js';
import { sameOriginForMutations } from './middleware/auth.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { sessions } from './middleware/session.js';
import { acquisitionRoutes } from './routes/acquisition.js';
import { adminQueueRoutes } from './routes/admin-queues.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { reportRoutes } from './routes/reports.js';
import { sidebarApiRoutes } from './routes/sidebar-api.js';
import { sopRuleRoutes } from './routes/sop-rules.js';
import { taskRoutes } from './routes/tasks.js';
import { workbenchRoutes } from './routes/workbench.js';
import { sidebarStatic } from './sidebar-static.js';
import { wecomCallbackHandler } from './wecom-callback.js';

/** Builds the Express app without listening; `createHttpServer` puts the WeCom callback in front. */
export function createApp(ctx: AppContext, services: Services, extraRoutes: readonly Router[] = []): Express {
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
          // the demo window frames the sidebar, which signs in through the OAuth origin
          'frame-src': ["'self'", new URL(ctx.config.wecom.oauthBase).origin],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      frameguard: false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(healthRoutes(ctx));
  // signed over the raw body, no session: before the JSON parser and the /api session checks
  app.use('/api/ingest', ingestRoutes(ctx, services));
  app.use('/api', express.json({ limit: '1mb' }));
  app.use(['/api', '/auth'], sessions(ctx));
  app.use('/api', sameOriginForMutations(ctx.config.publicOrigin));
  app.use(authRoutes(ctx, services));
  app.use('/api', sidebarApiRoutes(services));
  app.use('/api', sopRuleRoutes(services));
  app.use('/api', taskRoutes(services));
  app.use('/api', reportRoutes(services));
  app.use('/api', workbenchRoutes(ctx, services));
  app.use('/api', acquisitionRoutes(services));
  app.use(adminQueueRoutes(ctx));
  // e.g. the demo chat window, in demo mode only
  for (const routes of extraRoutes) app.use(routes);
  app.use(sidebarStatic());

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));
  return app;
}

/** The HTTP server: WeCom's callback answered by plain Node ahead of Express, everything else by the app. */
export function createHttpServer(
  ctx: AppContext,
  services: Services,
  extraRoutes: readonly Router[] = [],
): Server {
  const app = createApp(ctx, services, extraRoutes);
  const callback = wecomCallbackHandler(ctx, services);
  return createServer((req, res) => {
    if (!callback(req, res)) app(req, res);
  });
}
