import 'dotenv/config';
import { createReadStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { INGEST_KINDS, type IngestKind } from '../../shared/ingest.js';
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { systemClock } from '../infra/clock.js';
import { CustomerInsights } from '../services/customers/insights.js';
import { CSV_COLUMNS, type CsvImportSummary, importCsv } from '../services/ingest/csv-import.js';
import { IngestService } from '../services/ingest/ingest-service.js';

/**
 * `npm run import -- orders|events|coupons FILE.csv` — back-fills history into the database the
 * app uses (DATABASE_URL, or PGlite in DATA_DIR: stop the app first, PGlite has one writer).
 * Exit status: 0 all lines imported, 2 some lines rejected (listed), 1 nothing could be done.
 */

const MAX_LISTED = 200;

function usage(): string {
  const lines = INGEST_KINDS.map(
    (k) =>
      `  ${k.padEnd(8)} ${CSV_COLUMNS[k].required.join(',')}  [optional: ${CSV_COLUMNS[k].optional.join(',')}]`,
  );
  return `usage: npm run import -- <${INGEST_KINDS.join('|')}> FILE.csv\nCSV header columns:\n${lines.join('\n')}\n`;
}

function printSummary(kind: IngestKind, file: string, s: CsvImportSummary): void {
  const out = [
    `${kind} from ${file}: ${s.records} records — imported ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected.length}`,
  ];
  for (const r of s.rejected.slice(0, MAX_LISTED)) out.push(`  rejected line ${r.line}: ${r.reason}`);
  if (s.rejected.length > MAX_LISTED)
    out.push(`  … and ${s.rejected.length - MAX_LISTED} more rejected lines`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  const [kind, file] = process.argv.slice(2);
  if (!kind || !file || !(INGEST_KINDS as readonly string[]).includes(kind)) {
    process.stderr.write(usage());
    return 1;
  }
  const size = statSync(file).size;
  const config = loadConfig(process.env);
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `importing ${kind} |{bar}| {percentage}% | {records} records, {rejected} rejected`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  try {
    await migrateToLatest(handle.db);
    const insights = new CustomerInsights({ db: handle.db, clock: systemClock });
    const ingest = new IngestService({ db: handle.db, clock: systemClock, insights });
    bar.start(size, 0, { records: 0, rejected: 0 });
    const summary = await importCsv({
      kind: kind as IngestKind,
      input: createReadStream(file),
      ingest,
      onProgress: (p) => bar.update(p.bytes, { records: p.records, rejected: p.rejected }),
    });
    bar.update(size);
    bar.stop();
    printSummary(kind as IngestKind, file, summary);
    return summary.rejected.length ? 2 : 0;
  } finally {
    bar.stop();
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`\nimport failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
