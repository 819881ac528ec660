/**
 * The demo's fixed world: the same staff, tags, customers and groups on every start (the
 * simulator keeps its state in memory), generated from a fixed seed.
 */
export const DEMO_SUPERVISOR = 'zhaomin';

export const DEMO_STAFF = [
  { userid: 'wangfang', name: '王芳', department: [2] },
  { userid: 'lina', name: '李娜', department: [2] },
  { userid: 'chenchen', name: '陈晨', department: [3] },
  { userid: DEMO_SUPERVISOR, name: '赵敏（主管）', department: [1] },
];
export const DEMO_SALES = DEMO_STAFF.filter((s) => s.userid !== DEMO_SUPERVISOR).map((s) => s.userid);

export const DEMO_TAG_GROUPS = [
  {
    group_id: 'demo-g-level',
    group_name: '客户等级',
    tags: [
      { id: 'demo-t-vip', name: 'VIP' },
      { id: 'demo-t-regular', name: '普通会员' },
    ],
  },
  {
    group_id: 'demo-g-intent',
    group_name: '购买意向',
    tags: [
      { id: 'demo-t-high', name: '高意向' },
      { id: 'demo-t-watch', name: '观望' },
    ],
  },
  {
    group_id: 'demo-g-source',
    group_name: '来源',
    tags: [
      { id: 'demo-t-live', name: '直播间' },
      { id: 'demo-t-store', name: '门店' },
      { id: 'demo-t-community', name: '社群' },
    ],
  },
];

const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高';
const GIVEN = [
  '晓雯',
  '思远',
  '雨桐',
  '子涵',
  '欣怡',
  '浩然',
  '佳琪',
  '梓萱',
  '一诺',
  '若曦',
  '嘉怡',
  '俊杰',
  '诗涵',
  '明轩',
  '可欣',
];
const STATES = ['live0618', 'store-sh01', 'community', 'live0618', 'miniapp'];
const SOURCE_TAG: Record<string, string> = {
  live0618: 'demo-t-live',
  'store-sh01': 'demo-t-store',
  community: 'demo-t-community',
  miniapp: 'demo-t-community',
};

export const PRODUCTS = [
  { sku: 'SERUM-30', name: '修护精华液 30ml', price: 459 },
  { sku: 'CREAM-50', name: '保湿面霜 50g', price: 329 },
  { sku: 'MASK-5', name: '补水面膜 5 片装', price: 99 },
  { sku: 'SUN-40', name: '轻薄防晒乳 40ml', price: 189 },
  { sku: 'SET-GIFT', name: '礼盒套装', price: 1299 },
  { sku: 'TONER-150', name: '舒缓爽肤水 150ml', price: 239 },
];

/** mulberry32: a tiny deterministic PRNG, so every start builds the same world. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoCustomer {
  externalUserid: string;
  name: string;
  type: 1 | 2;
  gender: 1 | 2;
  userid: string;
  state: string;
  tagIds: string[];
  /** days before the seed time the customer was added */
  addedDaysAgo: number;
  /** how the customer behaves: drives orders and events */
  persona: 'vip' | 'regular' | 'new' | 'fading' | 'silent';
}

export function demoCustomers(): DemoCustomer[] {
  const rand = prng(20261122);
  const personas: DemoCustomer['persona'][] = ['vip', 'regular', 'regular', 'new', 'fading', 'silent'];
  return Array.from({ length: 50 }, (_, i) => {
    const state = STATES[i % STATES.length]!;
    const persona = personas[i % personas.length]!;
    const tagIds = [SOURCE_TAG[state]!];
    if (persona === 'vip') tagIds.push('demo-t-vip');
    else if (persona !== 'new') tagIds.push('demo-t-regular');
    if (i % 7 === 3) tagIds.push('demo-t-watch');
    return {
      externalUserid: `wmdemo${String(i + 1).padStart(3, '0')}`,
      name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(rand() * GIVEN.length)]}`,
      type: i % 9 === 4 ? 2 : 1,
      gender: i % 2 === 0 ? 1 : 2,
      userid: DEMO_SALES[i % DEMO_SALES.length]!,
      state,
      tagIds,
      addedDaysAgo: persona === 'new' ? 1 + (i % 5) : 20 + Math.floor(rand() * 160),
      persona,
    };
  });
}
