import { z } from 'zod';
import {
  type SopRule,
  type SopRuleDraft,
  type SopTrigger,
  sopRuleInputSchema,
  sopRuleSchema,
} from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import type { SopRuleRow } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { findRuleRow, insertRule, listRuleRows, updateRule } from '../../repositories/sop-rules.js';
import type { RuleSchedules } from './ports.js';

export function toRule(row: SopRuleRow): SopRule {
  return sopRuleSchema.parse({
    id: Number(row.id),
    name: row.name,
    trigger: row.trigger,
    enabled: row.enabled,
    params: row.params,
    audience: row.audience,
    variants: row.variants,
    deliveryMode: row.delivery_mode,
    dueMinutes: row.due_minutes,
    cooldownDays: row.cooldown_days,
    schedule: row.schedule,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });
}

function draftOf(rule: SopRule): Omit<SopRule, 'id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...draft } = rule;
  return draft;
}

function validate(input: unknown): SopRuleDraft {
  const parsed = sopRuleInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError(
    'validation_failed',
    'the rule is invalid',
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

const objectBody = z.record(z.string(), z.unknown());

/**
 * How long the tag names high_intent rules watch are trusted once read. They are asked for after
 * every batch of synced contacts; a rule changed here is seen at once, one changed by another
 * process within this time.
 */
const WATCHED_TAGS_TTL_MS = 10_000;

/** SOP rules: validated with shared/sop.ts, stored in sop_rules, scheduled per rule. */
export class SopRules {
  #watched: { names: ReadonlySet<string>; until: number } | undefined;
  /** bumped by every change, so a read that raced a change is not kept */
  #generation = 0;

  constructor(private readonly deps: { db: Db; clock: Clock; schedules: RuleSchedules; logger: Logger }) {}

  async list(): Promise<SopRule[]> {
    return (await listRuleRows(this.deps.db)).map(toRule);
  }

  async enabled(trigger: SopTrigger): Promise<SopRule[]> {
    return (await listRuleRows(this.deps.db, { trigger, enabled: true })).map(toRule);
  }

  /** The tag names enabled high_intent rules watch (cached, see WATCHED_TAGS_TTL_MS). */
  async watchedTagNames(): Promise<ReadonlySet<string>> {
    if (this.#watched && this.#watched.until > Date.now()) return this.#watched.names;
    const generation = this.#generation;
    const names = new Set(
      (await this.enabled('high_intent')).flatMap((r) =>
        r.trigger === 'high_intent' ? [r.params.tagName] : [],
      ),
    );
    if (generation === this.#generation) this.#watched = { names, until: Date.now() + WATCHED_TAGS_TTL_MS };
    return names;
  }

  async get(id: number): Promise<SopRule> {
    const row = Number.isSafeInteger(id) ? await findRuleRow(this.deps.db, id) : undefined;
    if (!row) throw notFound('SOP rule');
    return toRule(row);
  }

  async create(input: unknown): Promise<SopRule> {
    const rule = toRule(await insertRule(this.deps.db, validate(input), this.deps.clock.now()));
    this.#forgetWatched();
    await this.#schedule(rule);
    return rule;
  }

  /**
   * Fields given replace the stored ones; `params` and `audience` merge key by key (unless the
   * trigger changes). The merged rule is validated as a whole.
   */
  async update(id: number, patch: unknown): Promise<SopRule> {
    const current = await this.get(id);
    const body = objectBody.safeParse(patch);
    if (!body.success) throw new AppError('validation_failed', 'the body must be a JSON object');
    const { id: _id, createdAt: _c, updatedAt: _u, ...changes } = body.data;
    const sameTrigger = changes.trigger === undefined || changes.trigger === current.trigger;
    const merge = (key: 'params' | 'audience') => {
      const given = changes[key];
      if (given === undefined) return current[key];
      if (key === 'params' && !sameTrigger) return given;
      return typeof given === 'object' && given !== null && !Array.isArray(given)
        ? { ...current[key], ...given }
        : given;
    };
    const merged = { ...draftOf(current), ...changes, params: merge('params'), audience: merge('audience') };
    const row = await updateRule(this.deps.db, id, validate(merged), this.deps.clock.now());
    if (!row) throw notFound('SOP rule');
    const rule = toRule(row);
    this.#forgetWatched();
    await this.#schedule(rule);
    return rule;
  }

  /** Makes the job schedulers match the rules: one per enabled rule with a schedule. */
  async syncSchedules(): Promise<{ upserted: number; removed: number }> {
    const rules = await this.list();
    const wanted = new Map(rules.filter((r) => r.enabled && r.schedule).map((r) => [r.id, r.schedule!]));
    let removed = 0;
    for (const id of await this.deps.schedules.list()) {
      if (!wanted.has(id)) {
        await this.deps.schedules.remove(id);
        removed += 1;
      }
    }
    for (const [id, pattern] of wanted) await this.deps.schedules.upsert(id, pattern);
    return { upserted: wanted.size, removed };
  }

  #forgetWatched(): void {
    this.#generation += 1;
    this.#watched = undefined;
  }

  async #schedule(rule: SopRule): Promise<void> {
    try {
      if (rule.enabled && rule.schedule) await this.deps.schedules.upsert(rule.id, rule.schedule);
      else await this.deps.schedules.remove(rule.id);
    } catch (err) {
      // the rule is stored; the periodic reconcile (job sop.sync-schedules) catches up
      this.deps.logger.warn({ err, ruleId: rule.id }, 'could not update the rule’s job scheduler');
    }
  }
}
