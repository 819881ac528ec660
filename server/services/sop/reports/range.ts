import type { ReportRange } from '../../../../shared/sop.js';
import type { Range } from '../../../repositories/sop-reports.js';
import { addDays, shanghaiDayStart } from '../time.js';

/** Asia/Shanghai days `from`–`to` (inclusive) as instants, `toEnd` exclusive. */
export function instants(r: ReportRange): Range {
  return { from: shanghaiDayStart(r.from), toEnd: shanghaiDayStart(addDays(r.to, 1)) };
}
