import { createHash } from 'node:crypto';
import type { EventInput, IngestInputs, IngestKind, OrderInput } from '../../../shared/ingest.js';
import type { ScanResult, SopPressure, SopRule } from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { createTasks, type TaskCreation } from '../../repositories/sop-tasks.js';
import type { SopJobs } from './ports.js';
import { dueAfter, loadPressure, lockForTaskCreation } from './pressure.js';
import type { SopRules } from './rules.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';
import { answeredWithinMs, candidatesFor, detailsFor, type TriggerScope } from './triggers/index.js';

const NOTHING: ScanResult = { matched: 0, created: 0, capped: 0, skipped: 0 };

function add(a: ScanResult, b: ScanResult): ScanResult {
  return {
    matched: a.matched + b.matched,
    created: a.created + b.created,
    capped: a.capped + b.capped,
    skipped: a.skipped + b.skipped,
  };
}

/** A cart add is evaluated this long after its window has passed, so the window has surely passed. */
const CART_SLACK_MS = MINUTE_MS;

/** Everything one rule's task-creating statement needs, at `now` under the pressure settings. */
export function scanInput(
  rule: SopRule,
  pressure: SopPressure,
  now: Date,
  scope: Omit<TriggerScope, 'now'> = {},
): TaskCreation {
  return {
    rule,
    candidates: candidatesFor(rule.trigger, rule.params, { ...scope, now }),
    details: detailsFor(rule.trigger),
    // a scan over the trigger's own frontier re-meets what its earlier runs answered; an
    // evaluation of a few given customers is cheaper looked up one by one
    ...(scope.customers
      ? {}
      : { answeredSince: new Date(now.getTime() - answeredWithinMs(rule.trigger, rule.params)) }),
    now,
    dueAt: dueAfter(now, rule.dueMinutes, pressure.quietHours),
    cap: { maxMessages: pressure.maxMessages, since: new Date(now.getTime() - pressure.windowDays * DAY_MS) },
  };
}

/**
 * Runs triggers: a rule's scheduled scan (or `POST /api/sop-rules/:id/run`), and the event-driven
 * evaluation of high_intent for customers whose behaviour or tags just changed. Each run is one
 * transaction: the cap lock, then one statement that selects and creates (repositories/sop-tasks.ts).
 */
export class SopEngine {
  constructor(
    private readonly deps: { db: Db; clock: Clock; rules: SopRules; jobs: SopJobs; logger: Logger },
  ) {}

  /** A rule's scan over its trigger's frontier. A disabled rule refuses (409) unless `scheduled`. */
  async runRule(ruleId: number, options: { scheduled?: boolean } = {}): Promise<ScanResult> {
    const rule = await this.deps.rules.get(ruleId);
    if (!rule.enabled) {
      if (options.scheduled) return NOTHING;
      throw new AppError('conflict', 'the rule is disabled; enable it to run it');
    }
    return this.#run([rule], {});
  }

  /** high_intent for exactly these customers (the debounced job after ingest or tagging). */
  async evaluateCustomers(externalUserids: readonly string[]): Promise<ScanResult> {
    if (externalUserids.length === 0) return NOTHING;
    const rules = await this.deps.rules.enabled('high_intent');
    return this.#run(rules, { customers: [...new Set(externalUserids)].sort() });
  }

  /**
   * Called where tags were added (contact sync, sidebar tag edits, channel codes): evaluates, soon,
   * the customers given a tag that a high_intent rule watches. The scheduled scan finds the
   * tag_added entries anyway.
   */
  async onTagsAdded(added: ReadonlyArray<{ externalUserid: string; tagName: string }>): Promise<void> {
    if (!added.length) return;
    const watched = await this.deps.rules.watchedTagNames();
    const customers = [...new Set(added.filter((a) => watched.has(a.tagName)).map((a) => a.externalUserid))];
    if (customers.length) await this.deps.jobs.evaluateCustomers(customers);
  }

  /**
   * After an ingest request committed: behaviour → debounced high-intent evaluation, plus one at
   * the end of each cart add's window; orders → conversion attribution. Never throws: the records
   * are stored, and the scheduled scans and the periodic attribution pick up what a lost enqueue
   * missed.
   */
  async afterIngest<K extends IngestKind>(kind: K, items: readonly IngestInputs[K][]): Promise<void> {
    try {
      if (kind === 'events') await this.#afterEvents(items as readonly EventInput[]);
      if (kind === 'orders') {
        await this.deps.jobs.attribute([
          ...new Set((items as readonly OrderInput[]).map((o) => o.externalUserId)),
        ]);
      }
    } catch (err) {
      this.deps.logger.warn({ err, kind }, 'SOP follow-up of an ingest could not be enqueued');
    }
  }

  async #afterEvents(events: readonly EventInput[]): Promise<void> {
    const rules = await this.deps.rules.enabled('high_intent');
    if (rules.length === 0 || events.length === 0) return;
    await this.deps.jobs.evaluateCustomers([...new Set(events.map((e) => e.externalUserId))]);
    const now = this.deps.clock.now().getTime();
    const windows = new Set(
      rules.flatMap((r) => (r.trigger === 'high_intent' ? [r.params.cartAbandonHours] : [])),
    );
    for (const e of events) {
      if (e.kind !== 'cart_add') continue;
      for (const hours of windows) {
        const at = e.occurredAt.getTime() + hours * HOUR_MS + CART_SLACK_MS;
        if (at <= now) continue; // a back-filled cart add: the evaluation above already covers it
        const key = createHash('sha1')
          .update(`${e.externalUserId}|${Math.floor(at / MINUTE_MS)}`)
          .digest('hex');
        await this.deps.jobs.evaluateCustomerLater(e.externalUserId, at - now, key.slice(0, 24));
      }
    }
  }

  async #run(rules: readonly SopRule[], scope: Omit<TriggerScope, 'now'>): Promise<ScanResult> {
    if (rules.length === 0) return NOTHING;
    const { db, clock } = this.deps;
    const pressure = await loadPressure(db);
    const now = clock.now();
    const results = await db.transaction().execute(async (trx) => {
      await lockForTaskCreation(trx);
      const out: Array<{ rule: SopRule; staff: string[]; result: ScanResult }> = [];
      for (const rule of rules) {
        const { staff, ...result } = await createTasks(trx, scanInput(rule, pressure, now, scope));
        out.push({ rule, staff, result });
      }
      return out;
    });
    for (const { rule, result } of results) {
      if (result.created === 0) continue;
      this.deps.logger.info({ ruleId: rule.id, trigger: rule.trigger, ...result }, 'SOP tasks created');
      try {
        if (rule.deliveryMode === 'mass_send') await this.deps.jobs.dispatchMassSends();
        else await this.deps.jobs.remindStaff();
      } catch (err) {
        // the periodic delivery jobs pick the tasks up
        this.deps.logger.warn({ err }, 'could not enqueue SOP delivery');
      }
    }
    return results.reduce((sum, r) => add(sum, r.result), NOTHING);
  }
}
