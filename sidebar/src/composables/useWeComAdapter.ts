import { api } from '../api/client.js';
import { looksLikeWeCom } from '../logic/entry.js';
import { isDemoFrame, useWeCom, type WeComAdapter, WeComCallError } from '../wecom/index.js';

export const OUTSIDE_WECOM = '请在企业微信中打开私域助手后再使用（发送消息、打开聊天）';

/** True inside WeCom's webview or the /demo chat window: the chat calls can work here. */
export function canUseWeCom(): boolean {
  return isDemoFrame() || looksLikeWeCom(navigator.userAgent);
}

/**
 * The page's WeCom adapter (one per page), signed by the server. Outside WeCom it refuses at once
 * instead of loading the JS-SDK for nothing.
 */
export function useWeComAdapter(): { available: boolean; get(): Promise<WeComAdapter> } {
  const available = canUseWeCom();
  return {
    available,
    get: () =>
      available
        ? useWeCom((url) => api.jssdkSignatures(url))
        : Promise.reject(new WeComCallError(OUTSIDE_WECOM)),
  };
}
