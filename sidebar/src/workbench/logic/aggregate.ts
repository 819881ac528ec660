/**
 * The growth report answers one row per day and salesperson. The line chart wants one row per day
 * and the breakdown one row per salesperson: both are plain sums of the report's own counts (every
 * follow-relation change belongs to exactly one day and salesperson), so nothing is re-derived.
 */

export function sumBy<R, K extends string, F extends string>(
  rows: readonly R[],
  key: (row: R) => K,
  fields: readonly F[],
  pick: (row: R, field: F) => number,
): Map<K, Record<F, number>> {
  const out = new Map<K, Record<F, number>>();
  for (const row of rows) {
    const k = key(row);
    let acc = out.get(k);
    if (!acc) {
      acc = Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>;
      out.set(k, acc);
    }
    for (const f of fields) acc[f] += pick(row, f);
  }
  return out;
}

export const GROWTH_FIELDS = ['added', 'deletedByStaff', 'deletedByCustomer', 'net'] as const;
export type GrowthField = (typeof GROWTH_FIELDS)[number];
type GrowthRow = { day: string; userid: string; name: string } & Record<GrowthField, number>;

/** One row per day of `days` (days without changes are zeros), in order. */
export function growthPerDay(rows: readonly GrowthRow[], days: readonly string[]) {
  const sums = sumBy(
    rows,
    (r) => r.day,
    GROWTH_FIELDS,
    (r, f) => r[f],
  );
  return days.map((day) => ({
    day,
    ...(sums.get(day) ?? { added: 0, deletedByStaff: 0, deletedByCustomer: 0, net: 0 }),
  }));
}

/** One row per salesperson over the range, most added first. */
export function growthPerStaff(rows: readonly GrowthRow[]) {
  const names = new Map(rows.map((r) => [r.userid, r.name || r.userid]));
  const sums = sumBy(
    rows,
    (r) => r.userid,
    GROWTH_FIELDS,
    (r, f) => r[f],
  );
  return [...sums.entries()]
    .map(([userid, s]) => ({ userid, name: names.get(userid) ?? userid, ...s }))
    .sort((a, b) => b.added - a.added || b.net - a.net || (a.userid < b.userid ? -1 : 1));
}
