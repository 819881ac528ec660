import express, { type Express } from 'express';
import { CallbackSender } from './callbacks.js';
import { CgiRouter } from './cgi.js';
import { registerAuthApis } from './routes/auth.js';
import { registerContactWayApis } from './routes/contact-way.js';
import { controlRouter } from './routes/control.js';
import { registerExternalContactApis } from './routes/externalcontact.js';
import { registerGroupChatApis } from './routes/groupchat.js';
import { registerGroupMsgApis } from './routes/groupmsg.js';
import { registerMessageApis } from './routes/message.js';
import { oauthRouter } from './routes/oauth.js';
import { registerTagApis } from './routes/tags.js';
import type { SimulatorState } from './state.js';

export function createApp(state: SimulatorState, baseUrl: () => string): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const api = new CgiRouter(state);
  registerAuthApis(api, state);
  registerExternalContactApis(api, state);
  registerTagApis(api, state);
  registerContactWayApis(api, state, baseUrl);
  registerGroupMsgApis(api, state);
  registerGroupChatApis(api, state);
  registerMessageApis(api, state);
  app.use('/cgi-bin', api.router);

  app.use('/connect/oauth2', oauthRouter(state));
  app.use('/sim', controlRouter(state, new CallbackSender(state), baseUrl));

  // WeCom answers unknown APIs with HTTP 404 too
  app.use((_req, res) => {
    res.status(404).json({ errcode: 404, errmsg: 'not found' });
  });
  return app;
}
