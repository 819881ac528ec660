import type { WeComClient } from '../../wecom/client.js';

/** The background work the SOP services ask for; implemented over BullMQ in jobs/sop-producer.ts. */
export interface SopJobs {
  /** a debounced high-intent evaluation per customer: a burst of events evaluates once */
  evaluateCustomers(externalUserids: readonly string[]): Promise<void>;
  /** one evaluation of a customer after `delayMs` (a cart add's window has passed); `key` dedupes */
  evaluateCustomerLater(externalUserid: string, delayMs: number, key: string): Promise<void>;
  /** reminder digests to staff, soon */
  remindStaff(): Promise<void>;
  /** mass-send dispatch, soon */
  dispatchMassSends(): Promise<void>;
  /** conversion attribution for customers who just ordered */
  attribute(externalUserids: readonly string[]): Promise<void>;
}

/** One job scheduler per rule with a schedule (BullMQ, Asia/Shanghai); see queue/rule-schedules.ts. */
export interface RuleSchedules {
  upsert(ruleId: number, pattern: string): Promise<void>;
  remove(ruleId: number): Promise<void>;
  /** rule ids that currently have a scheduler */
  list(): Promise<number[]>;
}

/** The WeCom calls the SOP engine makes. */
export type SopWeCom = Pick<
  WeComClient,
  | 'sendAppMessage'
  | 'addMsgTemplate'
  | 'getGroupMsgSendResult'
  | 'remindGroupMsgSend'
  | 'sendRobotMessage'
  | 'getUserBehaviorData'
>;

/** For tests and tools that run the engine without queues. */
export const noJobs: SopJobs = {
  evaluateCustomers: async () => {},
  evaluateCustomerLater: async () => {},
  remindStaff: async () => {},
  dispatchMassSends: async () => {},
  attribute: async () => {},
};
