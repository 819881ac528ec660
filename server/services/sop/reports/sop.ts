import type { ReportRange, SopReport } from '../../../../shared/sop.js';
import type { Db } from '../../../db/database.js';
import { sopVariants } from '../../../repositories/sop-reports.js';
import { rate } from './definitions.js';
import { instants } from './range.js';

/** Reach and conversion per rule and variant — REPORT_DEFINITIONS.sop. */
export async function sopReport(db: Db, range: ReportRange): Promise<SopReport> {
  const rows = (await sopVariants(db, instants(range))).map((r) => ({
    ruleId: Number(r.rule_id),
    ruleName: r.rule_name,
    trigger: r.trigger,
    variant: r.variant,
    matched: r.created + r.capped_only,
    capped: r.capped,
    created: r.created,
    sent: r.sent,
    converted: r.converted,
    conversionRate: rate(r.converted, r.sent),
    revenueFen: Number(r.revenue_fen),
  }));
  const rules = new Map<number, SopReport['rules'][number]>();
  for (const r of rows) {
    const { variant: _v, ...figures } = r;
    const sum = rules.get(r.ruleId);
    if (!sum) {
      rules.set(r.ruleId, { ...figures });
      continue;
    }
    for (const k of ['matched', 'capped', 'created', 'sent', 'converted', 'revenueFen'] as const)
      sum[k] += r[k];
    sum.conversionRate = rate(sum.converted, sum.sent);
  }
  return { from: range.from, to: range.to, rows, rules: [...rules.values()] };
}
