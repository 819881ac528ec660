/**
 * What every report figure means, written once. The SQL in repositories/sop-reports.ts computes
 * exactly these; the README's "SOP engine and reports" section repeats them for readers; tests
 * check the SQL against independent counts. Days are Asia/Shanghai calendar days; a range
 * `from`–`to` includes both days.
 */
export const REPORT_DEFINITIONS = {
  tasks: {
    scope:
      'tasks created on the day (Asia/Shanghai), by the salesperson they are assigned to now; both delivery modes',
    assigned: 'tasks created on the day',
    sent: 'of those, tasks sent — from the sidebar, or confirmed in WeCom for mass sends',
    onTime: 'of those, sent at or before the due time',
    overdue:
      'of those, not sent by the due time: sent late, or unsent (pending or expired) with the due time passed',
    skipped: 'of those, skipped by the salesperson (with a reason)',
    completionRate: 'sent / assigned (0 when nothing was assigned)',
    rank: 'salespeople by completion rate over the range, then by tasks sent, then userid; 1 is best',
  },
  sop: {
    scope:
      'per rule and message variant, for tasks and held-back matches created in the range; a rule with any lists each of its current variants, those without any as zeros',
    created: 'tasks created',
    capped: 'matches the per-customer cap held back (one per rule, customer and occasion)',
    matched: 'tasks created plus held-back matches that never became a task',
    sent: 'created tasks that were sent',
    converted:
      'sent tasks followed by a paid order within the rule’s conversionDays (default 7), each order credited to the last task sent before it, each task to its first such order',
    conversionRate: 'converted / sent (0 when nothing was sent)',
    revenueFen: 'sum of the converted orders’ amounts, in fen',
  },
  growth: {
    added: 'follow relations added on the day, per salesperson',
    deletedByStaff: 'relations the salesperson deleted on the day',
    deletedByCustomer: 'relations the customer deleted on the day (单删)',
    net: 'added − deletedByStaff − deletedByCustomer',
    churnRate:
      'per calendar month: relations deleted by customers in the month / relations active at the month’s start; the alert is raised above churnAlertRate (default 5%)',
    chats: 'WeCom get_user_behavior_data chat_cnt: chats the salesperson had with customers that day',
    messages: 'message_cnt: messages the salesperson sent to customers',
    replyPercentage:
      'reply_percentage: share of customer-started chats the salesperson replied to (WeCom’s figure, percent)',
    avgFirstReplyMinutes: 'avg_reply_time: average minutes to the first reply in customer-started chats',
    negativeFeedback: 'negative_feedback_cnt: customers who deleted or blocked the salesperson',
  },
} as const;

export function rate(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 10_000) / 10_000 : 0;
}
