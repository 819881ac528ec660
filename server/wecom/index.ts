export { WeComClient, type WeComClientOptions, type WeComRetryOptions } from './client.js';
export {
  classifyErrcode,
  isWeComApiError,
  WeComApiError,
  type WeComApiErrorInit,
  WeComErrcode,
  type WeComErrorClass,
  WeComNotStaffError,
  WeComRateLimitError,
  WeComTransportError,
} from './errors.js';
export {
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  type RateLimiterOptions,
  type RateRule,
  rateRules,
  type WeComRateLimits,
} from './rate-limit.js';
export { cacheTtlSeconds, type FetchedCredential, secretDigest, TokenCache } from './token-cache.js';
export type * from './types.js';
