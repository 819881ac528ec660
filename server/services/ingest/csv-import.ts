import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { INGEST_MAX_ITEMS, type IngestInputs, type IngestKind } from '../../../shared/ingest.js';
import type { IngestService } from './ingest-service.js';
import { parseIngestItem } from './validate.js';

/**
 * CSV columns per kind, named as the API's fields. JSON columns hold what the API takes as nested
 * values (`items` as `[{"sku":…,"name":…,"qty":1,"price":"9.90"}]`, `data` as an object). Empty
 * cells are absent values.
 */
export const CSV_COLUMNS: Record<IngestKind, { required: readonly string[]; optional: readonly string[] }> = {
  orders: {
    required: ['orderId', 'externalUserId', 'amount', 'status', 'paidAt'],
    optional: ['refundedAt', 'couponId', 'items'],
  },
  events: { required: ['eventId', 'externalUserId', 'kind', 'occurredAt'], optional: ['data'] },
  coupons: {
    required: ['couponId', 'externalUserId', 'name', 'value', 'issuedAt', 'expiresAt'],
    optional: ['usedAt'],
  },
};
const JSON_COLUMNS = new Set(['items', 'data']);

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface CsvImportSummary {
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RejectedLine[];
}

export class CsvHeaderError extends Error {
  override name = 'CsvHeaderError';
}

function checkHeader(kind: IngestKind, header: string[]): string[] {
  const { required, optional } = CSV_COLUMNS[kind];
  const missing = required.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !required.includes(c) && !optional.includes(c));
  if (missing.length || unknown.length) {
    const problems = [
      missing.length ? `missing column(s) ${missing.join(', ')}` : '',
      unknown.length ? `unknown column(s) ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    throw new CsvHeaderError(
      `${problems.join('; ')} — ${kind} CSV columns are ${required.join(', ')} and optionally ${optional.join(', ')}`,
    );
  }
  return header;
}

/** A CSV record as the API item it stands for, or why it cannot be one. */
function toItem(record: Record<string, string>): { item: Record<string, unknown> } | { reason: string } {
  const item: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === undefined || cell.trim() === '') continue;
    if (!JSON_COLUMNS.has(column)) {
      item[column] = cell;
      continue;
    }
    try {
      item[column] = JSON.parse(cell);
    } catch {
      return { reason: `${column}: not valid JSON` };
    }
  }
  return { item };
}

/**
 * Back-fills history from CSV through the same item validation and ingest service as the API:
 * valid lines go in batches of 1,000 (one transaction each), invalid lines are reported by line
 * number. Importing a file twice is harmless, as with the API.
 */
export async function importCsv(options: {
  kind: IngestKind;
  input: Readable;
  ingest: IngestService;
  onProgress?: (progress: { bytes: number; records: number; rejected: number }) => void;
}): Promise<CsvImportSummary> {
  const { kind, ingest } = options;
  const summary: CsvImportSummary = { records: 0, inserted: 0, updated: 0, unchanged: 0, rejected: [] };
  let batch: IngestInputs[typeof kind][] = [];
  const flush = async () => {
    if (!batch.length) return;
    const result = await ingest.ingest(kind, batch);
    summary.inserted += result.inserted;
    summary.updated += result.updated;
    summary.unchanged += result.unchanged;
    batch = [];
  };

  const parser = options.input.pipe(
    parse({
      columns: (header: string[]) =>
        checkHeader(
          kind,
          header.map((h) => h.trim()),
        ),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { bytes: number; lines: number; error?: unknown };
  }>) {
    summary.records++;
    const converted = info.error ? { reason: 'number of columns differs from the header' } : toItem(record);
    if ('reason' in converted) {
      summary.rejected.push({ line: info.lines, reason: converted.reason });
    } else {
      const check = parseIngestItem(kind, converted.item);
      if (check.ok) batch.push(check.value);
      else
        summary.rejected.push({
          line: info.lines,
          reason: check.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
        });
    }
    if (batch.length >= INGEST_MAX_ITEMS) await flush();
    options.onProgress?.({ bytes: info.bytes, records: summary.records, rejected: summary.rejected.length });
  }
  await flush();
  return summary;
}
