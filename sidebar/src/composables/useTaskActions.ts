import { type Ref, ref } from 'vue';
import type { SopTask } from '../../../shared/sop.js';
import { api } from '../api/client.js';
import { describeError, isCancelled } from '../logic/errors.js';
import { MarkSentError, sendTask } from '../logic/task-actions.js';
import type { TaskItem } from '../logic/tasks.js';
import { showToast } from '../ui/vant.js';
import type { useWeComAdapter } from './useWeComAdapter.js';

type Busy = 'send' | 'skip' | 'chat';

/**
 * 发送 / 跳过 / 打开聊天 on a list of tasks, updating the list with the server's answer; `changed`
 * runs after the server took a send or skip (the customer view reloads its timeline).
 */
export function useTaskActions(
  tasks: Ref<TaskItem[]>,
  wecom: ReturnType<typeof useWeComAdapter>,
  options: { changed?: () => void } = {},
) {
  const busy = ref<Record<number, Busy | undefined>>({});
  const markPending = ref<Record<number, boolean>>({});
  const skipOpen = ref(false);
  const skipping = ref<TaskItem>();

  function apply(answer: SopTask) {
    tasks.value = tasks.value.map((t) =>
      t.id === answer.id ? { ...t, status: answer.status, skippedReason: answer.skippedReason } : t,
    );
    options.changed?.();
  }

  async function run(task: TaskItem, kind: Busy, fn: () => Promise<void>) {
    if (busy.value[task.id]) return;
    busy.value = { ...busy.value, [task.id]: kind };
    try {
      await fn();
    } finally {
      busy.value = { ...busy.value, [task.id]: undefined };
    }
  }

  const send = (task: TaskItem) =>
    run(task, 'send', async () => {
      try {
        apply(await sendTask(task, { getAdapter: wecom.get, markSent: api.markTaskSent }));
        showToast('已发送');
      } catch (err) {
        if (err instanceof MarkSentError) {
          markPending.value = { ...markPending.value, [task.id]: true };
          showToast({ message: `${err.message}：${describeError(err.cause)}`, duration: 4000 });
        } else if (isCancelled(err)) {
          showToast('已取消发送');
        } else {
          showToast({ message: describeError(err), duration: 4000 });
        }
      }
    });

  /** Only re-marks: the message already went out. */
  const mark = (task: TaskItem) =>
    run(task, 'send', async () => {
      try {
        apply(await api.markTaskSent(task.id));
        markPending.value = { ...markPending.value, [task.id]: false };
        showToast('已标记为已发送');
      } catch (err) {
        showToast({ message: describeError(err), duration: 4000 });
      }
    });

  function askSkip(task: TaskItem) {
    skipping.value = task;
    skipOpen.value = true;
  }

  async function confirmSkip(reason: string) {
    const task = skipping.value;
    if (!task) return;
    await run(task, 'skip', async () => {
      try {
        apply(await api.skipTask(task.id, reason));
        skipOpen.value = false;
        showToast('已跳过');
      } catch (err) {
        showToast({ message: describeError(err), duration: 4000 });
      }
    });
  }

  const openChat = (task: TaskItem) =>
    run(task, 'chat', async () => {
      if (!task.externalUserid) return;
      try {
        const adapter = await wecom.get();
        await adapter.openEnterpriseChat({ externalUserIds: [task.externalUserid] });
      } catch (err) {
        if (!isCancelled(err)) showToast({ message: describeError(err), duration: 4000 });
      }
    });

  return { busy, markPending, skipOpen, skipping, send, mark, askSkip, confirmSkip, openChat };
}
