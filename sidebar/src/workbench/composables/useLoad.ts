import type { WatchSource } from 'vue';
import { ApiError } from '../../api/client.js';
import { type AsyncState, useAsync } from '../../composables/useAsync.js';
import { describeError } from '../../logic/errors.js';

export const FORBIDDEN_TEXT = '仅主管和管理员可以查看工作台';

/** describeError, with the workbench's words for a refusal. */
export function workbenchError(err: unknown): string {
  if (err instanceof ApiError && err.code === 'forbidden') return FORBIDDEN_TEXT;
  return describeError(err);
}

/**
 * Loads a value now and again whenever `source` changes (the date range); a slower earlier load
 * never overwrites a later one. The previous value stays while the next loads.
 */
export function useLoad<T>(loader: () => Promise<T>, source?: WatchSource<unknown>): AsyncState<T> {
  return useAsync(loader, { describe: workbenchError, ...(source ? { watch: source } : {}) });
}
