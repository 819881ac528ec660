import {
  type CustomerFlag,
  DATA_QUALITY_FLAG_NAMES,
  DATA_QUALITY_FLAGS,
  DATA_QUALITY_SETTING,
  type DataQualityFlag,
  type DataQualityRules,
  type DataQualityScanResult,
  dataQualityRulesSchema,
  type FlagListQuery,
} from '../../../shared/data-quality.js';
import type { Db } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import {
  clearFlag,
  countOpenFlags,
  detectFlag,
  type FlagRow,
  findFlag,
  listFlags,
} from '../../repositories/customer-flags.js';
import { getSetting, putSetting } from '../../repositories/settings.js';

function toFlag(r: FlagRow): CustomerFlag {
  const flag = r.flag as DataQualityFlag;
  return {
    id: r.id,
    externalUserid: r.external_userid,
    customerName: r.customer_name,
    flag,
    label: DATA_QUALITY_FLAGS[flag] ?? r.flag,
    detail: r.detail ?? {},
    detectedAt: r.detected_at.toISOString(),
    clearedAt: r.cleared_at ? r.cleared_at.toISOString() : null,
    clearedBy: r.cleared_by,
    staff: r.staff ?? [],
  };
}

/**
 * 数据清洗: flags on low-quality customers (definitions: services/analytics/definitions.ts →
 * dataQuality), each rule a setting; a daily scan plus on demand; a review list where supervisors
 * clear flags. SOP audiences leave flagged customers out (repositories/sop-tasks.ts), reports can
 * (`excludeFlagged=1`).
 */
export class DataQualityService {
  constructor(private readonly deps: { db: Db; clock: Clock; logger: Logger }) {}

  async rules(): Promise<DataQualityRules> {
    const stored = await getSetting<unknown>(this.deps.db, DATA_QUALITY_SETTING, {});
    const parsed = dataQualityRulesSchema.safeParse(stored);
    if (!parsed.success) {
      this.deps.logger.warn(
        { issues: parsed.error.issues },
        'data_quality.rules is invalid; using the defaults',
      );
      return dataQualityRulesSchema.parse({});
    }
    return parsed.data;
  }

  /** Merges the body over the stored rules (per flag), validates and stores the result. */
  async putRules(body: unknown): Promise<DataQualityRules> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError('bad_request', 'expected an object of rules');
    }
    const current = await this.rules();
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(body)) {
      const base = (current as Record<string, unknown>)[key];
      merged[key] =
        typeof value === 'object' && value !== null && typeof base === 'object'
          ? { ...base, ...value }
          : value;
    }
    const rules = dataQualityRulesSchema.parse(merged);
    await putSetting(this.deps.db, DATA_QUALITY_SETTING, rules, this.deps.clock.now());
    return rules;
  }

  /** Runs every enabled rule's detection (one statement each). */
  async scan(): Promise<DataQualityScanResult> {
    const { db, clock } = this.deps;
    const rules = await this.rules();
    const now = clock.now();
    const flags: DataQualityScanResult['flags'] = {};
    for (const flag of DATA_QUALITY_FLAG_NAMES) {
      if (!rules[flag].enabled) continue;
      flags[flag] = await detectFlag(db, flag, rules, now);
    }
    const open = Object.values(await countOpenFlags(db)).reduce((a, b) => a + b, 0);
    this.deps.logger.info({ flags, open }, 'data-quality scan');
    return { flags, open };
  }

  async list(q: FlagListQuery) {
    const rows = await listFlags(this.deps.db, q);
    return {
      items: rows.map(toFlag),
      nextCursor: rows.length === q.limit ? (rows[rows.length - 1]?.id ?? null) : null,
      openCounts: await countOpenFlags(this.deps.db),
    };
  }

  /** A supervisor's "this customer is fine": the flag closes and this occurrence is not raised again. */
  async clear(id: number, userid: string): Promise<CustomerFlag> {
    const { db, clock } = this.deps;
    if (!(await findFlag(db, id))) throw notFound('flag');
    await clearFlag(db, id, userid, clock.now());
    return toFlag((await findFlag(db, id))!);
  }
}
