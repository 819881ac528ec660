import { type Ref, ref, shallowRef } from 'vue';
import { describeError } from '../logic/errors.js';

export interface AsyncState<T> {
  data: Ref<T | undefined>;
  error: Ref<string | undefined>;
  loading: Ref<boolean>;
  /** runs the loader again; a slower earlier run never overwrites a later one */
  reload(): Promise<void>;
}

/** A value loaded once (immediately unless `lazy`), with its error message and a retry. */
export function useAsync<T>(loader: () => Promise<T>, options: { lazy?: boolean } = {}): AsyncState<T> {
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
      if (mine === run) error.value = describeError(err);
    } finally {
      if (mine === run) loading.value = false;
    }
  }

  if (!options.lazy) void reload();
  return { data, error, loading, reload };
}
