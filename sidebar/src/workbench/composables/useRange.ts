import { reactive, readonly } from 'vue';
import { type DayRange, normalizeRange, presetRange, type RangePreset } from '../logic/range.js';

/** The date range every report page shares (default: the last 7 days, Asia/Shanghai). */
const state = reactive<DayRange>(presetRange('last7', new Date()));

export function useRange() {
  return {
    range: readonly(state),
    set(range: DayRange) {
      const r = normalizeRange(range);
      state.from = r.from;
      state.to = r.to;
    },
    preset(key: RangePreset) {
      Object.assign(state, presetRange(key, new Date()));
    },
  };
}
