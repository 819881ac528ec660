import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import type { JssdkSignatures } from '../../../shared/customer.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { WeComClient } from '../../wecom/client.js';
import { asWeComFailure } from './wecom-failure.js';

interface Deps {
  clock: Clock;
  wecom: Pick<WeComClient, 'getJsapiTicket' | 'getAgentTicket' | 'corpId' | 'agentId'>;
  publicOrigin: string;
}

/**
 * Signatures for `ww.register`: `config` from the corp jsapi_ticket, `agentConfig` from the app
 * ticket (both cached in Redis by the WeCom client). Only pages of our own origin are signed.
 */
export class JssdkSigner {
  constructor(private readonly deps: Deps) {}

  async sign(pageUrl: string): Promise<JssdkSignatures> {
    const { clock, wecom, publicOrigin } = this.deps;
    let url: URL;
    try {
      url = new URL(pageUrl);
    } catch {
      throw new AppError('bad_request', 'url is not a URL');
    }
    if (url.origin !== publicOrigin)
      throw new AppError('bad_request', `only pages of ${publicOrigin} are signed`);
    // the SDK signs location.href without its fragment
    const signed = pageUrl.split('#')[0]!;
    let tickets: [string, string];
    try {
      tickets = await Promise.all([wecom.getJsapiTicket(), wecom.getAgentTicket()]);
    } catch (err) {
      throw asWeComFailure(err);
    }
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const sign = (ticket: string) => {
      const nonceStr = randomBytes(8).toString('hex');
      const { signature } = getJsApiSignature({ ticket, nonceStr, timestamp, url: signed });
      return { timestamp, nonceStr, signature };
    };
    return {
      corpId: wecom.corpId,
      agentId: wecom.agentId,
      config: sign(tickets[0]),
      agentConfig: sign(tickets[1]),
    };
  }
}
