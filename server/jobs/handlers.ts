import type { AppContext } from '../context.js';
import type { JobHandlers } from '../queue/workers.js';
import type { Services } from '../services/container.js';

/** The registry: each job name → a thin handler (typed data in, a service call out). */
export function createJobHandlers(_ctx: AppContext, _services: Services): JobHandlers {
  return {
    'system.ping': async (data) => ({ pong: data.nonce }),
  };
}
