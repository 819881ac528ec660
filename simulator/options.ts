export interface SimulatorOptions {
  /** 0 = any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  corpId: string;
  corpSecret: string;
  agentId: number;
  token: string;
  encodingAesKey: string;
  /** the product's POST /wecom/callback URL; settable later through the control API */
  callbackUrl?: string;
}
