import { type Ref, ref, shallowRef, type WatchSource, watch } from 'vue';
import { ApiError } from '../../api/client.js';
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
export function useLoad<T>(
  loader: () => Promise<T>,
  source?: WatchSource<unknown>,
): {
  data: Ref<T | undefined>;
  error: Ref<string | undefined>;
  loading: Ref<boolean>;
  reload(): Promise<void>;
} {
  const data = shallowRef<T>();
  const error = ref<string>();
  const loading = ref(false);
  let run = 0;
  async function reload() {
    const mine = ++run;
    loading.value = true;
    error.value = undefined;
    try {
      const value = await loader();
      if (mine === run) data.value = value;
    } catch (err) {
      if (mine === run) error.value = workbenchError(err);
    } finally {
      if (mine === run) loading.value = false;
    }
  }
  if (source) watch(source, () => void reload(), { deep: true });
  void reload();
  return { data, error, loading, reload };
}
