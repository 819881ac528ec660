import type pg from 'pg';

const MARKER = /\/\* prepared:([a-z0-9_]+) \*\/$/;

/** Marks a hot, fixed-shape query (Kysely: `.modifyEnd(sql.raw(preparedMarker('name')))`) for `preparedStatements`. */
export const preparedMarker = (name: string) => `/* prepared:${name} */`;

/**
 * Sends statements ending in a `prepared` marker as named prepared statements: Postgres parses
 * and plans them once per connection instead of on every call (for the customer 360 that is
 * two thirds of its database time). Opt-in per query, so a query whose text varies (`in (…)`
 * lists) never fills the connection with statements. The text behind one name must never vary
 * (pg reuses the statement by name). Not for PgBouncer in transaction mode.
 */
export function preparedStatements(pool: pg.Pool): pg.Pool {
  const patched = new WeakSet<pg.PoolClient>();
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connectPreparing = async () => {
    const client = await connect();
    if (!patched.has(client)) {
      patched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((text: unknown, values?: unknown) => {
        const name = typeof text === 'string' ? MARKER.exec(text)?.[1] : undefined;
        return name ? query({ name, text, values }) : query(text, values);
      }) as typeof client.query;
    }
    return client;
  };
  pool.connect = connectPreparing as typeof pool.connect;
  return pool;
}
