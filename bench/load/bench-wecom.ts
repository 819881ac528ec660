/** WeCom credentials the benchmark apps and load generators share. */
export const BENCH_WECOM = {
  corpId: 'wwbenchcorp000001',
  agentId: 1000002,
  secret: 'bench-secret',
  token: 'benchtoken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
