/**
 * Element Plus components only the channel, target and data-quality pages use (on top of
 * ui/element.ts), each with its CSS, in the lazily loaded workbench chunks.
 */
import 'element-plus/es/components/dialog/style/css';
import 'element-plus/es/components/popconfirm/style/css';
import 'element-plus/es/components/progress/style/css';

export { ElDialog, ElPopconfirm, ElProgress } from 'element-plus/es';
