import { ConsoleError, invalidField } from './errors.js';

// Reading the fields of a body or query: wrong kinds are 422 naming the field, before anything is touched.

export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleError('MOP_CONSOLE_INVALID', 'the body must be a JSON object', { field: '' });
  return body as Record<string, unknown>;
}

const NAME = /^[^\u0000-\u001f]{1,255}$/;

export function requiredName(source: Record<string, unknown>, field: string): string {
  const value = source[field];
  if (typeof value !== 'string' || !NAME.test(value)) throw invalidField(field, 'a non-empty name (at most 255 characters)');
  return value;
}

export function optionalName(source: Record<string, unknown>, field: string): string | undefined {
  return source[field] === undefined ? undefined : requiredName(source, field);
}

/** Only the named fields may be present: a typo (`{ priorty: 5 }`) is refused, not ignored. */
export function onlyFields(source: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(source).find(key => !allowed.includes(key));
  if (extra !== undefined) throw invalidField(extra.slice(0, 60), `absent (allowed: ${allowed.join(', ')})`);
}

/** A query parameter: absent or empty reads as undefined; given twice is refused. */
export function queryValue(query: URLSearchParams, field: string): string | undefined {
  const all = query.getAll(field);
  if (all.length > 1) throw invalidField(field, 'given once');
  const value = all[0];
  if (value === undefined || value === '') return undefined;
  if (!NAME.test(value)) throw invalidField(field, 'at most 255 characters without control characters');
  return value;
}

export function queryDate(query: URLSearchParams, field: string): Date | undefined {
  const value = queryValue(query, field);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw invalidField(field, 'an ISO date-time such as 2026-01-31T12:00:00Z');
  return date;
}

export function queryInteger(query: URLSearchParams, field: string, min: number, max: number): number | undefined {
  const value = queryValue(query, field);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw invalidField(field, `an integer from ${min} to ${max}`);
  return n;
}
