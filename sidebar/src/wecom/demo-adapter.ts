import { type ChatMessage, type OpenChatTarget, type WeComAdapter, WeComCallError } from './types';

/**
 * Demo mode: the sidebar runs in an iframe of the /demo chat window, which answers the same calls
 * over postMessage (request `{ wecomDemo: id, method, args }` → reply `{ wecomDemo: id, result | error }`).
 */
export function createDemoAdapter(target: Window = window.parent, timeoutMs = 5000): WeComAdapter {
  let nextId = 1;
  const origin = location.origin;

  function request<T>(method: string, args: unknown[] = []): Promise<T> {
    const id = `${Date.now()}-${nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        window.removeEventListener('message', onMessage);
        reject(new WeComCallError(`${method}:fail demo window did not answer`));
      }, timeoutMs);
      function onMessage(event: MessageEvent) {
        if (event.origin !== origin || event.data?.wecomDemo !== id) return;
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
        if (event.data.error) reject(new WeComCallError(String(event.data.error)));
        else resolve(event.data.result as T);
      }
      window.addEventListener('message', onMessage);
      target.postMessage({ wecomDemo: id, method, args }, origin);
    });
  }

  return {
    kind: 'demo',
    getContext: () => request('getContext'),
    getCurExternalContact: async () => (await request<{ userId: string }>('getCurExternalContact')).userId,
    getCurExternalChat: async () => (await request<{ chatId: string }>('getCurExternalChat')).chatId,
    sendChatMessage: async (message: ChatMessage) => {
      await request('sendChatMessage', [message]);
    },
    openEnterpriseChat: async (t: OpenChatTarget) => {
      await request('openEnterpriseChat', [t]);
    },
  };
}
