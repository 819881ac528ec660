import type { Migration } from 'kysely';
import * as m0001 from './0001_domain_schema.js';

/** Versioned migrations, applied in name order. Add a file and list it here. */
export const migrations: Record<string, Migration> = {
  '0001_domain_schema': m0001,
};
