import type { SopTask } from '../../../shared/sop.js';
import type { WeComAdapter } from '../wecom/types.js';

/**
 * 发送 in one tap: the message goes into the open chat (sendChatMessage), then the task is marked
 * sent. The order matters: a task is never marked sent for a message that did not go out.
 */

/** The message went out but the server did not record it; retrying should only re-mark. */
export class MarkSentError extends Error {
  override name = 'MarkSentError';
  constructor(override readonly cause: unknown) {
    super('消息已发送，但任务状态未能更新');
  }
}

export interface TaskActionDeps {
  getAdapter(): Promise<Pick<WeComAdapter, 'sendChatMessage'>>;
  markSent(id: number): Promise<SopTask>;
}

export async function sendTask(
  task: Pick<SopTask, 'id' | 'message'>,
  deps: TaskActionDeps,
): Promise<SopTask> {
  const adapter = await deps.getAdapter();
  await adapter.sendChatMessage({ msgtype: 'text', text: { content: task.message } });
  try {
    return await deps.markSent(task.id);
  } catch (err) {
    throw new MarkSentError(err);
  }
}
