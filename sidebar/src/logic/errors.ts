import { ApiError } from '../api/client.js';
import { WeComCallError } from '../wecom/types.js';

/** What a person reads when something failed: what happened, in Chinese, and the server's words. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'unauthorized':
        return '登录已过期，正在重新登录…';
      case 'forbidden':
        return `没有权限查看：${err.message}`;
      case 'not_found':
        return '没有找到这条记录，它可能已被删除或尚未同步';
      case 'wecom_error':
        return `企业微信拒绝了操作：${err.message}`;
      case 'unavailable':
        return `服务暂时不可用：${err.message}`;
      case 'network':
      case 'bad_response':
        return err.message;
      default:
        return err.status >= 500 ? `服务器出错了（${err.status}），请稍后重试` : err.message;
    }
  }
  if (err instanceof WeComCallError) {
    if (/cancel/i.test(err.message)) return '已取消';
    // our own explanation (e.g. not inside WeCom), already in Chinese
    if (/^请/.test(err.message)) return err.message;
    return `企业微信调用失败：${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A cancelled WeCom call (the salesperson closed the send dialog) is not an error to shout about. */
export function isCancelled(err: unknown): boolean {
  return err instanceof WeComCallError && /cancel/i.test(err.message);
}
