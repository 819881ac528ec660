import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/**
 * Presents one PGlite instance as the `pg` pool Kysely's PostgresDialect expects. PGlite has a
 * single session, so a checked-out client holds it exclusively until released: a transaction
 * cannot interleave with another caller's statements.
 */
export class PGlitePool implements PostgresPool {
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly pg: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    const pg = this.pg;
    return {
      async query(sql: string, parameters: ReadonlyArray<unknown>) {
        const result = await pg.query<Record<string, unknown>>(sql, parameters as unknown[], {
          rowMode: 'object',
        });
        return {
          command: (result.command ?? 'SELECT') as 'SELECT',
          rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
          rows: result.rows,
        };
      },
      release,
      // biome-ignore lint/suspicious/noExplicitAny: Kysely's streaming path is not used with PGlite.
    } as any as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.#tail;
    if (!this.pg.closed) await this.pg.close();
  }
}
