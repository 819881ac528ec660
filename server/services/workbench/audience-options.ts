import type { Db } from '../../db/database.js';
import { channelStates, listActiveStaff } from '../../repositories/workbench.js';

/** What the rule editor's audience picker offers besides the tag catalogue (GET /api/tags). */
export async function audienceOptions(db: Db) {
  const [staff, channels] = await Promise.all([listActiveStaff(db), channelStates(db)]);
  return { staff: staff.map((s) => ({ userid: s.userid, name: s.name || s.userid })), channels };
}
