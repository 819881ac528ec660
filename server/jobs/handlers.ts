import type { AppContext } from '../context.js';
import type { JobHandlers } from '../queue/workers.js';

/** The registry: each job name → a thin handler (typed data in, a service call out). */
export function createJobHandlers(_ctx: AppContext): JobHandlers {
  return {
    'system.ping': async (data) => ({ pong: data.nonce }),
  };
}
