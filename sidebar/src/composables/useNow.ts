import { onScopeDispose, ref } from 'vue';

/** The current time, refreshed every minute (for 今天/昨天 and "还剩 N 小时"). */
export function useNow(intervalMs = 60_000) {
  const now = ref(new Date());
  const timer = setInterval(() => {
    now.value = new Date();
  }, intervalMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}
