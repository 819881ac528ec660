import {
  type GrowthReport,
  type ReportRange,
  SOP_REPORT_SETTING,
  type SopReport,
  type SopReportSettings,
  sopReportSettingsSchema,
  type TaskReport,
} from '../../../../shared/sop.js';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../infra/clock.js';
import { getSetting } from '../../../repositories/settings.js';
import { growthReport } from './growth.js';
import { sopReport } from './sop.js';
import { taskReport } from './tasks.js';

export async function loadReportSettings(db: Db): Promise<SopReportSettings> {
  const parsed = sopReportSettingsSchema.safeParse(await getSetting<unknown>(db, SOP_REPORT_SETTING, {}));
  return parsed.success ? parsed.data : sopReportSettingsSchema.parse({});
}

/** The supervisor reports (GET /api/reports/{tasks,sop,growth}). */
export class SopReports {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  tasks(range: ReportRange): Promise<TaskReport> {
    return taskReport(this.deps.db, range, this.deps.clock.now());
  }

  sop(range: ReportRange): Promise<SopReport> {
    return sopReport(this.deps.db, range);
  }

  async growth(range: ReportRange): Promise<GrowthReport> {
    const settings = await loadReportSettings(this.deps.db);
    return growthReport(this.deps.db, range, this.deps.clock.now(), settings.churnAlertRate);
  }
}
