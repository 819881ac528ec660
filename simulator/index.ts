import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { SimulatorOptions } from './options.js';
import { SimulatorState } from './state.js';

export { SimulatorClient } from './client.js';
export { decrypt, encrypt, signature } from './crypto.js';
export { ErrCode } from './errors.js';
export type { SimulatorOptions } from './options.js';
export { SimulatorState } from './state.js';

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:4100 — use it as WECOM_API_BASE and WECOM_OAUTH_BASE */
  url: string;
  close(): Promise<void>;
  state: SimulatorState;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const state = new SimulatorState(opts);
  let url = '';
  const app = createApp(state, () => url);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
