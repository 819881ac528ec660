import type { AppContext } from '../context.js';

/**
 * Builds every service once per process from the shared infrastructure. Routes and job handlers
 * receive services from here; services never construct their own clients.
 */
export function createServices(_ctx: AppContext) {
  return {};
}

export type Services = ReturnType<typeof createServices>;
