/**
 * The Vant components the sidebar uses, each with its own style: explicit imports keep the
 * bundle to what is used (no global `app.use(Vant)`). Add a component here with its style.
 */
import 'vant/es/button/style/index';
import 'vant/es/empty/style/index';
import 'vant/es/field/style/index';
import 'vant/es/icon/style/index';
import 'vant/es/image/style/index';
import 'vant/es/list/style/index';
import 'vant/es/popup/style/index';
import 'vant/es/search/style/index';
import 'vant/es/skeleton/style/index';
import 'vant/es/tab/style/index';
import 'vant/es/tabs/style/index';
import 'vant/es/tag/style/index';
import 'vant/es/toast/style/index';

export {
  Button as VanButton,
  Empty as VanEmpty,
  Field as VanField,
  Icon as VanIcon,
  Image as VanImage,
  List as VanList,
  Popup as VanPopup,
  Search as VanSearch,
  Skeleton as VanSkeleton,
  Tab as VanTab,
  Tabs as VanTabs,
  Tag as VanTag,
  closeToast,
  showFailToast,
  showLoadingToast,
  showSuccessToast,
  showToast,
} from 'vant';
