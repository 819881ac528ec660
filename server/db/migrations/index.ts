import type { Migration } from 'kysely';
import * as m0001 from './0001_domain_schema.js';
import * as m0003 from './0003_quick_replies.js';
import * as m0004 from './0004_sop.js';
import * as m0005 from './0005_channels_targets_quality.js';
import * as m0006 from './0006_ingest_write_path.js';
import * as m0007 from './0007_sop_task_creation.js';
import * as m0009 from './0009_contact_sync_write_path.js';
import * as m0010 from './0010_task_created_from_tasks.js';
import * as m0011 from './0011_tasks_created_through_rules.js';
import * as m0012 from './0012_customer_activity.js';

/** Versioned migrations, applied in name order. Add a file and list it here. */
export const migrations: Record<string, Migration> = {
  '0001_domain_schema': m0001,
  '0003_quick_replies': m0003,
  '0004_sop': m0004,
  '0005_channels_targets_quality': m0005,
  '0006_ingest_write_path': m0006,
  '0007_sop_task_creation': m0007,
  '0009_contact_sync_write_path': m0009,
  '0010_task_created_from_tasks': m0010,
  '0011_tasks_created_through_rules': m0011,
  '0012_customer_activity': m0012,
};
