import * as ww from '@wecom/jssdk';
import { type ChatMessage, type OpenChatTarget, type WeComAdapter, WeComCallError } from './types';

/** The only file that imports `@wecom/jssdk`. */

export interface SignatureSource {
  /** POST /api/jssdk/signatures for the page's URL without its fragment */
  (
    url: string,
  ): Promise<{
    corpId: string;
    agentId: number | string;
    config: { timestamp: string | number; nonceStr: string; signature: string };
    agentConfig: { timestamp: string | number; nonceStr: string; signature: string };
  }>;
}

const JS_API_LIST = [
  'getContext',
  'getCurExternalContact',
  'getCurExternalChat',
  'sendChatMessage',
  'openEnterpriseChat',
];

/** WeCom reports an expired or rejected agentConfig with errMsg like these. */
const AGENT_CONFIG_STALE = /agentConfig|invalid signature|permission denied|expired/i;

function errMsgOf(err: unknown): string {
  if (err && typeof err === 'object' && 'errMsg' in err) return String((err as { errMsg: unknown }).errMsg);
  return err instanceof Error ? err.message : String(err);
}

export async function createJssdkAdapter(signatures: SignatureSource): Promise<WeComAdapter> {
  const pageUrl = () => location.href.split('#')[0]!;
  const first = await signatures(pageUrl());
  const register = () =>
    ww.register({
      corpId: first.corpId,
      agentId: Number(first.agentId),
      jsApiList: JS_API_LIST,
      getConfigSignature: async () => (await signatures(pageUrl())).config,
      getAgentConfigSignature: async () => (await signatures(pageUrl())).agentConfig,
    });
  register();

  /** Runs a call; when WeCom says the agentConfig went stale, registers afresh and retries once. */
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!AGENT_CONFIG_STALE.test(errMsgOf(err))) throw new WeComCallError(errMsgOf(err));
      register();
      try {
        return await fn();
      } catch (again) {
        throw new WeComCallError(errMsgOf(again));
      }
    }
  }

  return {
    kind: 'wecom',
    getContext: () => call(async () => ({ entry: (await ww.getContext()).entry })),
    getCurExternalContact: () => call(async () => (await ww.getCurExternalContact()).userId),
    getCurExternalChat: () => call(async () => (await ww.getCurExternalChat()).chatId),
    sendChatMessage: (message: ChatMessage) =>
      call(async () => {
        await ww.sendChatMessage(message as Parameters<typeof ww.sendChatMessage>[0]);
      }),
    openEnterpriseChat: (target: OpenChatTarget) =>
      call(async () => {
        await ww.openEnterpriseChat({
          ...(target.externalUserIds ? { externalUserIds: target.externalUserIds } : {}),
          ...(target.userIds ? { userIds: target.userIds } : {}),
          ...(target.chatId ? { chatId: target.chatId } : {}),
          groupName: '',
        } as Parameters<typeof ww.openEnterpriseChat>[0]);
      }),
  };
}
