/** The demo window's own endpoints (served in demo mode only). */
export interface DemoStaff {
  userid: string;
  name: string;
}

export interface DemoCustomer {
  externalUserid: string;
  name: string;
  avatar: string | null;
  lifecycleStage: string;
  userid: string;
}

export interface DemoWorld {
  staff: DemoStaff[];
  customers: DemoCustomer[];
}

export type DemoAction = 'view3' | 'cart' | 'coupon12h' | 'order' | 'delete' | 'newCustomer' | 'runRules';

async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/demo/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = await res.json();
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
  return json as T;
}

export const demoApi = {
  world: () => call<DemoWorld>('/world'),
  loginAs: (userid: string, redirect: '/?wecomDemo=1' | '/workbench' = '/?wecomDemo=1') =>
    call<{ loginUrl: string }>('/login', { userid, redirect }),
  act: (action: DemoAction, userid: string, externalUserid?: string) =>
    call<{ message: string; externalUserid?: string }>('/act', { action, userid, externalUserid }),
};
