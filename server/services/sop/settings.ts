import { z } from 'zod';
import {
  SOP_PRESSURE_SETTING,
  SOP_REPORT_SETTING,
  type SopPressure,
  type SopReportSettings,
  sopPressureSchema,
  sopReportSettingsSchema,
} from '../../../shared/sop.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import { putSetting } from '../../repositories/settings.js';
import { loadPressure } from './pressure.js';
import { loadReportSettings } from './reports/index.js';

export const sopSettingsInputSchema = z.strictObject({
  pressure: sopPressureSchema.optional(),
  reports: sopReportSettingsSchema.optional(),
});

/** Contact pressure (cap, quiet hours) and report settings, editable by supervisors. */
export class SopSettings {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async get(): Promise<{ pressure: SopPressure; reports: SopReportSettings }> {
    return { pressure: await loadPressure(this.deps.db), reports: await loadReportSettings(this.deps.db) };
  }

  async put(input: unknown) {
    const parsed = sopSettingsInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new AppError(
        'validation_failed',
        'the settings are invalid',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const now = this.deps.clock.now();
    if (parsed.data.pressure) await putSetting(this.deps.db, SOP_PRESSURE_SETTING, parsed.data.pressure, now);
    if (parsed.data.reports) await putSetting(this.deps.db, SOP_REPORT_SETTING, parsed.data.reports, now);
    return this.get();
  }
}
