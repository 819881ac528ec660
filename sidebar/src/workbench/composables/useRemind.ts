import { reactive } from 'vue';
import { ApiError } from '../../api/client.js';
import { workbenchApi } from '../api.js';
import { ElMessage } from '../ui/element.js';
import { workbenchError } from './useLoad.js';

/** Who was reminded in this page's life, until when (the server allows once an hour). */
const remindedUntil = reactive(new Map<string, number>());
const busy = reactive(new Set<string>());

/** The 提醒 action: a WeCom app message to the salesperson about their open tasks. */
export function useRemind() {
  async function remind(userid: string, name: string) {
    if (busy.has(userid)) return;
    busy.add(userid);
    try {
      const r = await workbenchApi.remind(userid);
      remindedUntil.set(userid, Date.parse(r.nextAllowedAt));
      ElMessage.success(
        `已通过企业微信提醒 ${r.name || name}：待处理 ${r.open} 条${r.overdue ? `，其中逾期 ${r.overdue} 条` : ''}`,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        remindedUntil.set(userid, Date.now() + 60_000);
        ElMessage.warning(`一小时内已提醒过 ${name}，请稍后再试`);
      } else if (err instanceof ApiError && err.code === 'conflict') {
        ElMessage.info(`${name} 目前没有待处理的任务，无需提醒`);
      } else {
        ElMessage.error(`提醒失败：${workbenchError(err)}`);
      }
    } finally {
      busy.delete(userid);
    }
  }
  const reminded = (userid: string) => (remindedUntil.get(userid) ?? 0) > Date.now();
  const sending = (userid: string) => busy.has(userid);
  return { remind, reminded, sending };
}
