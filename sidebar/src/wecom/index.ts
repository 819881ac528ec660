import { createDemoAdapter } from './demo-adapter';
import type { SignatureSource } from './jssdk-adapter';
import type { WeComAdapter } from './types';

export * from './types';

const DEMO_FLAG = 'wecom-demo';

/** Demo mode is chosen by the /demo window's iframe URL (`?wecomDemo=1`) and kept for the tab. */
export function isDemoFrame(): boolean {
  if (new URLSearchParams(location.search).get('wecomDemo') === '1') sessionStorage.setItem(DEMO_FLAG, '1');
  return window.parent !== window && sessionStorage.getItem(DEMO_FLAG) === '1';
}

let adapter: Promise<WeComAdapter> | undefined;

/** One adapter per page. The JS-SDK is loaded only inside WeCom, never in the demo. */
export function useWeCom(signatures: SignatureSource): Promise<WeComAdapter> {
  adapter ??= isDemoFrame()
    ? Promise.resolve(createDemoAdapter())
    : import('./jssdk-adapter').then((m) => m.createJssdkAdapter(signatures));
  return adapter;
}
