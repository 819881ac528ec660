import { onBeforeUnmount, ref } from 'vue';

/** True below 768 px (phones, WeCom's mobile 工作台). */
export function useIsMobile(query = '(max-width: 768px)') {
  const mql = window.matchMedia(query);
  const mobile = ref(mql.matches);
  const update = () => {
    mobile.value = mql.matches;
  };
  mql.addEventListener('change', update);
  onBeforeUnmount(() => mql.removeEventListener('change', update));
  return mobile;
}
