import { ref } from 'vue';

/** 剔除异常客户: whether reports leave out customers with an open data-quality flag (shared by every page). */
const excludeFlagged = ref(false);

export function useExcludeFlagged() {
  return excludeFlagged;
}
