/** Timestamps reach us as Date (columns) or text (inside JSON aggregates); the API speaks ISO UTC. */
export function iso(value: Date | string): string;
export function iso(value: Date | string | null): string | null;
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
