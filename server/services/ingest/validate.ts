import type { z } from 'zod';
import {
  type IngestInputs,
  type IngestKind,
  ingestInputsOf,
  ingestItemSchemas,
  ingestRequestSchemas,
} from '../../../shared/ingest.js';
import { AppError, type ErrorIssue } from '../../errors.js';

function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ErrorIssue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.'),
    message: i.message,
  }));
}

/**
 * A whole request body, all or nothing: any invalid item rejects the request with every bad
 * item's index and reason (`items.3.amount`).
 */
export function parseIngestBatch<K extends IngestKind>(kind: K, body: unknown): IngestInputs[K][] {
  const parsed = ingestRequestSchemas[kind].safeParse(body);
  if (parsed.success) return ingestInputsOf[kind](parsed.data.items);
  const badItems = new Set(
    parsed.error.issues
      .filter((i) => i.path[0] === 'items' && typeof i.path[1] === 'number')
      .map((i) => i.path[1]),
  );
  const message = badItems.size
    ? `${badItems.size} ${badItems.size === 1 ? 'item is' : 'items are'} invalid; nothing was stored`
    : 'the request must be { "items": [ … ] } with 1 to 1000 items; nothing was stored';
  throw new AppError('unprocessable', message, issuesOf(parsed.error));
}

export type ItemCheck<K extends IngestKind> =
  | { ok: true; value: IngestInputs[K] }
  | { ok: false; issues: ErrorIssue[] };

/** One item on its own (the CSV import rejects bad lines and keeps the rest). */
export function parseIngestItem<K extends IngestKind>(kind: K, item: unknown): ItemCheck<K> {
  const parsed = ingestItemSchemas[kind].safeParse(item);
  return parsed.success
    ? { ok: true, value: parsed.data as IngestInputs[K] }
    : { ok: false, issues: issuesOf(parsed.error) };
}
