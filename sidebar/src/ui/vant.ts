/**
 * The Vant components the sidebar uses, each with its own style: explicit imports keep the
 * bundle to what is used (no global `app.use(Vant)`).
 *
 * The styles are imported file by file rather than through `vant/es/<c>/style/index`, because
 * those also pull in Vant's icon font (a 28 KB-gzip base64 font) — the sidebar draws its own
 * icons (ui/AppIcon.vue), so no Vant `icon` prop, `closeable` popup, Search, Field or success/fail
 * toast is used. Add a component here together with its CSS files (see its style/index.mjs).
 */
import 'vant/es/style/base.css';
import 'vant/es/badge/index.css';
import 'vant/es/loading/index.css';
import 'vant/es/overlay/index.css';
import 'vant/es/popup/index.css';
import 'vant/es/button/index.css';
import 'vant/es/empty/index.css';
import 'vant/es/list/index.css';
import 'vant/es/skeleton-title/index.css';
import 'vant/es/skeleton-avatar/index.css';
import 'vant/es/skeleton-paragraph/index.css';
import 'vant/es/skeleton/index.css';
import 'vant/es/sticky/index.css';
import 'vant/es/swipe/index.css';
import 'vant/es/swipe-item/index.css';
import 'vant/es/tabs/index.css';
import 'vant/es/tab/index.css';
import 'vant/es/toast/index.css';

export {
  Button as VanButton,
  closeToast,
  Empty as VanEmpty,
  List as VanList,
  Popup as VanPopup,
  Skeleton as VanSkeleton,
  showToast,
  Tab as VanTab,
  Tabs as VanTabs,
} from 'vant';
