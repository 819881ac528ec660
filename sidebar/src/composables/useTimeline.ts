import { ref, shallowRef } from 'vue';
import type { TimelineEntry } from '../../../shared/timeline.js';
import { api } from '../api/client.js';
import { describeError } from '../logic/errors.js';
import { appendPage } from '../logic/timeline.js';

/** the first page is also requested by public/prefetch.js (`?limit=30`): change both together */
export const TIMELINE_PAGE = 30;

/** A customer's timeline, newest first, loaded page by page with the server's cursor. */
export function useTimeline(externalUserId: () => string) {
  const entries = shallowRef<TimelineEntry[]>([]);
  const cursor = ref<string | null>(null);
  const finished = ref(false);
  const loading = ref(false);
  const error = ref<string>();
  const started = ref(false);

  async function loadMore() {
    if (finished.value) return;
    loading.value = true;
    error.value = undefined;
    try {
      const page = await api.timeline(externalUserId(), { before: cursor.value, limit: TIMELINE_PAGE });
      entries.value = appendPage(entries.value, page.entries);
      cursor.value = page.nextCursor;
      finished.value = page.nextCursor === null;
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
      started.value = true;
    }
  }

  /** From the top again (after a note or a tag change added an entry). */
  async function refresh() {
    entries.value = [];
    cursor.value = null;
    finished.value = false;
    started.value = false;
    await loadMore();
  }

  return { entries, finished, loading, error, started, loadMore, refresh };
}
