import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';

/*
 * A/B variants (同一SOP三套话术轮测). A customer's variant for a rule is a pure function of the rule
 * id and the external userid — the first 32 bits of md5("<ruleId>:<externalUserid>") modulo the
 * total weight, placed on the cumulative weights — so a re-run scan or a retried job never moves a
 * customer to another variant. The SQL below is what tasks are created with; `pickVariant` is the
 * same function in TypeScript, for tests and previews.
 */

export function variantBucket(ruleId: number, externalUserid: string): number {
  return Number.parseInt(
    createHash('md5').update(`${ruleId}:${externalUserid}`).digest('hex').slice(0, 8),
    16,
  );
}

export function pickVariant(ruleId: number, externalUserid: string, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let point = variantBucket(ruleId, externalUserid) % total;
  for (let i = 0; i < weights.length; i++) {
    point -= weights[i]!;
    if (point < 0) return i;
  }
  return weights.length - 1;
}

/**
 * The variant index as SQL, for a customer id expression: width_bucket over the cumulative weights
 * places the bucket with one md5 per row (a CASE would repeat the hash in every arm).
 */
export function variantSql(ruleId: number, externalUserid: RawBuilder<unknown>, weights: readonly number[]) {
  if (weights.length <= 1) return sql<number>`0`;
  const total = weights.reduce((a, b) => a + b, 0);
  const bucket = sql`(('x' || lpad(substr(md5(${sql.lit(`${ruleId}:`)} || ${externalUserid}), 1, 8), 16, '0'))::bit(64)::bigint % ${sql.lit(total)})`;
  let upper = 0;
  const bounds = weights.slice(0, -1).map((w) => (upper += w));
  return sql<number>`width_bucket(${bucket}, ${sql.raw(`'{${bounds.join(',')}}'::bigint[]`)})`;
}
