import { shallowRef } from 'vue';
import type { Me } from '../../../shared/api.js';
import { api } from '../api/client.js';

const me = shallowRef<Me>();
let loading: Promise<Me | undefined> | undefined;

/** The signed-in staff member (GET /api/me), fetched once per page. */
export function useMe() {
  loading ??= api.me().then(
    (m) => {
      me.value = m;
      return m;
    },
    () => {
      loading = undefined;
      return undefined;
    },
  );
  return { me, ready: loading };
}
