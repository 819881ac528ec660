import type { SopRuleDraft, SopTrigger } from '../../shared/sop.js';
import type { Db } from '../db/database.js';
import type { SopRuleRow } from '../db/schema.js';

export function listRuleRows(db: Db, filter: { trigger?: SopTrigger; enabled?: boolean } = {}) {
  let q = db.selectFrom('sop_rules').selectAll().orderBy('id');
  if (filter.trigger) q = q.where('trigger', '=', filter.trigger);
  if (filter.enabled !== undefined) q = q.where('enabled', '=', filter.enabled);
  return q.execute();
}

export function findRuleRow(db: Db, id: number): Promise<SopRuleRow | undefined> {
  return db.selectFrom('sop_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

function columns(rule: SopRuleDraft) {
  return {
    name: rule.name,
    trigger: rule.trigger,
    enabled: rule.enabled,
    params: JSON.stringify(rule.params),
    audience: JSON.stringify(rule.audience),
    variants: JSON.stringify(rule.variants),
    delivery_mode: rule.deliveryMode,
    due_minutes: rule.dueMinutes,
    cooldown_days: rule.cooldownDays,
    schedule: rule.schedule,
  };
}

export function insertRule(db: Db, rule: SopRuleDraft, now: Date): Promise<SopRuleRow> {
  return db
    .insertInto('sop_rules')
    .values({ ...columns(rule), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateRule(
  db: Db,
  id: number,
  rule: SopRuleDraft,
  now: Date,
): Promise<SopRuleRow | undefined> {
  return db
    .updateTable('sop_rules')
    .set({ ...columns(rule), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
