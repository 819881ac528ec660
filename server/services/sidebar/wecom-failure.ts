import { AppError } from '../../errors.js';
import { WeComApiError, WeComRateLimitError, WeComTransportError } from '../../wecom/errors.js';

/**
 * A WeCom call made while a person waits: its failure becomes an answer they can read
 * (502 `wecom_error` naming errcode and errmsg; 503 when our own quota guard is full).
 */
export function asWeComFailure(err: unknown): unknown {
  if (err instanceof WeComApiError) {
    return new AppError('wecom_error', `WeCom ${err.api} failed: errcode ${err.errcode} ${err.errmsg}`);
  }
  if (err instanceof WeComTransportError) return new AppError('wecom_error', err.message);
  if (err instanceof WeComRateLimitError) {
    return new AppError('unavailable', 'WeCom rate limit reached; try again in a minute');
  }
  return err;
}
