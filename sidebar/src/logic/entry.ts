import type { WeComAdapter } from '../wecom/types.js';

/**
 * Where the sidebar's entry (`/`, `/sidebar`) goes, decided by WeCom's `getContext().entry`:
 * a 1:1 chat or a contact's profile → that customer; a customer group → that group; anything
 * else inside WeCom (the workbench, an app message) → my tasks. Outside WeCom → a friendly page.
 */
export type EntryDecision =
  | { kind: 'customer'; path: string }
  | { kind: 'group'; path: string }
  | { kind: 'tasks'; path: string }
  | { kind: 'outside'; reason: string };

export const CUSTOMER_ENTRIES = ['single_chat_tools', 'contact_profile'];
export const GROUP_ENTRIES = ['group_chat_tools'];

/** How long WeCom gets to answer before we call it "not inside WeCom". */
export const CONTEXT_TIMEOUT_MS = 5000;

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function decideEntry(
  getAdapter: () => Promise<
    Pick<WeComAdapter, 'getContext' | 'getCurExternalContact' | 'getCurExternalChat'>
  >,
  timeoutMs = CONTEXT_TIMEOUT_MS,
): Promise<EntryDecision> {
  let entry: string;
  let adapter: Awaited<ReturnType<typeof getAdapter>>;
  try {
    adapter = await withTimeout(getAdapter(), timeoutMs, 'WeCom did not answer');
    entry = (await withTimeout(adapter.getContext(), timeoutMs, 'getContext timed out')).entry;
  } catch (err) {
    return { kind: 'outside', reason: reasonOf(err) };
  }
  if (CUSTOMER_ENTRIES.includes(entry)) {
    const id = await withTimeout(
      adapter.getCurExternalContact(),
      timeoutMs,
      'getCurExternalContact timed out',
    );
    return { kind: 'customer', path: `/customer/${encodeURIComponent(id)}` };
  }
  if (GROUP_ENTRIES.includes(entry)) {
    const chatId = await withTimeout(adapter.getCurExternalChat(), timeoutMs, 'getCurExternalChat timed out');
    return { kind: 'group', path: `/group/${encodeURIComponent(chatId)}` };
  }
  return { kind: 'tasks', path: '/tasks' };
}

/** WeCom's webviews (desktop and mobile) say `wxwork` in their user agent. */
export function looksLikeWeCom(userAgent: string): boolean {
  return /wxwork/i.test(userAgent);
}
