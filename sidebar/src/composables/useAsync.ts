import { type Ref, ref, shallowRef, type WatchSource, watch } from 'vue';
import { describeError } from '../logic/errors.js';

export interface AsyncState<T> {
  data: Ref<T | undefined>;
  error: Ref<string | undefined>;
  loading: Ref<boolean>;
  /** runs the loader again; a slower earlier run never overwrites a later one */
  reload(): Promise<void>;
}

export interface AsyncOptions {
  /** don't load until reload() is called */
  lazy?: boolean;
  /** load again whenever this changes (e.g. a date range) */
  watch?: WatchSource<unknown>;
  /** turns a failure into the message shown; default describeError */
  describe?: (err: unknown) => string;
}

/** A value loaded now (unless `lazy`), with its error message and a retry. */
export function useAsync<T>(loader: () => Promise<T>, options: AsyncOptions = {}): AsyncState<T> {
  const describe = options.describe ?? describeError;
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
      if (mine === run) error.value = describe(err);
    } finally {
      if (mine === run) loading.value = false;
    }
  }

  if (options.watch) watch(options.watch, () => void reload(), { deep: true });
  if (!options.lazy) void reload();
  return { data, error, loading, reload };
}
