import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { SopBot } from './bot.js';
import { MassSends } from './delivery/mass-send.js';
import { StaffTasks } from './delivery/staff-task.js';
import { SopEngine } from './engine.js';
import { SopOutcomes } from './outcomes.js';
import type { RuleSchedules, SopJobs, SopWeCom } from './ports.js';
import { StaffBehaviorSync } from './reports/behavior-sync.js';
import { SopReports } from './reports/index.js';
import { SopRules } from './rules.js';
import { SopSettings } from './settings.js';

/**
 * The SOP engine (design §1, §3): rules → triggers → tasks under contact pressure → delivery
 * (staff_task | mass_send) → outcomes → reports and the bot. Where things live:
 *   rules.ts                 rule CRUD, validation (shared/sop.ts), per-rule job schedulers
 *   triggers/*.ts            one file per trigger: its candidate SQL (a new trigger goes here)
 *   engine.ts                runs a rule's scan / an event-driven evaluation in one statement
 *   pressure.ts              cap lock, quiet hours, due times; variants.ts, templates.ts
 *   delivery/staff-task.ts   task list/sent/skip, reminder digests; delivery/mass-send.ts
 *   outcomes.ts              conversion attribution, responses; reports/*, bot.ts
 */
export function createSopServices(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  wecom: SopWeCom;
  jobs: SopJobs;
  schedules: RuleSchedules;
  publicUrl: string;
  botWebhookKey: string | undefined;
}) {
  const { db, clock, logger, wecom } = deps;
  const rules = new SopRules({ db, clock, schedules: deps.schedules, logger });
  const engine = new SopEngine({ db, clock, rules, jobs: deps.jobs, logger });
  const tasks = new StaffTasks({ db, clock, wecom, publicUrl: deps.publicUrl, logger });
  const massSends = new MassSends({ db, clock, wecom, logger });
  const outcomes = new SopOutcomes({ db, clock });
  const reports = new SopReports({ db, clock });
  const behaviorSync = new StaffBehaviorSync({ db, clock, wecom, logger });
  const settings = new SopSettings({ db, clock });
  const bot = new SopBot({ db, clock, wecom, botWebhookKey: deps.botWebhookKey, tasks, reports, logger });
  return { rules, settings, engine, tasks, massSends, outcomes, reports, behaviorSync, bot };
}

export type SopServices = ReturnType<typeof createSopServices>;
