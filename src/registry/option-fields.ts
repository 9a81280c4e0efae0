import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { OptionField, OptionIssue, OptionsSpec } from '../plugin-api.js';
import { quote } from './plugin-meta.js';

/** What a secret value is printed as, everywhere. */
export const MASK = '***';

type Fields = Readonly<Record<string, OptionField>>;

/** Defaults declared on `fields`, as an options object (secret defaults included: they are values, not output). */
export function fieldDefaults(fields: Fields | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields ?? {})) if (field.default !== undefined) defaults[name] = field.default;
  return defaults;
}

/**
 * Checks options against `fields`. Returns the issues, first one first; never quotes a value
 * (the caller decides what to print, and masks secrets).
 */
export function validateFields(fields: Fields | undefined, options: unknown): OptionIssue[] {
  if (!fields) return [];
  const issues: OptionIssue[] = [];
  const values = (options ?? {}) as Record<string, unknown>;
  for (const [name, field] of sortedFields(fields)) {
    const value = values[name];
    if (value === undefined || value === null) {
      if (field.required) issues.push({ option: name, expected: `${describeType(field)} (required)` });
      continue;
    }
    const issue = checkField(field, value);
    if (issue) issues.push({ option: name, expected: issue });
  }
  return issues;
}

function checkField(field: OptionField, value: unknown): string | undefined {
  const type = describeType(field);
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') return type;
      if (field.min !== undefined && codePoints(value) < field.min) return `a string of at least ${field.min} characters`;
      if (field.max !== undefined && codePoints(value) > field.max) return `a string of at most ${field.max} characters`;
      if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) return `a string matching /${field.pattern}/`;
      break;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return type;
      if (field.type === 'integer' && !Number.isInteger(value)) return 'an integer';
      if (field.min !== undefined && value < field.min) return `${type} >= ${field.min}`;
      if (field.max !== undefined && value > field.max) return `${type} <= ${field.max}`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return 'a boolean';
      break;
    case 'array':
      if (!Array.isArray(value)) return 'an array';
      if (field.min !== undefined && value.length < field.min) return `an array of at least ${field.min} items`;
      if (field.max !== undefined && value.length > field.max) return `an array of at most ${field.max} items`;
      break;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return 'an object';
      break;
  }
  if (field.enum && !field.enum.some(allowed => allowed === value)) {
    return `one of ${field.secret ? '(secret values)' : field.enum.map(v => quote(v)).join(', ')}`;
  }
  return undefined;
}

/** Characters as JSON Schema's `minLength`/`maxLength` count them: code points, so an emoji is one, not two UTF-16 units. */
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** The type with its article: `a string`, `an integer`, `an array`. */
function describeType(field: OptionField): string {
  return `${/^[aeiou]/.test(field.type) ? 'an' : 'a'} ${field.type}`;
}

/** Fields in form order: by group (first appearance), then `order`, then declaration. */
export function sortedFields(fields: Fields): [string, OptionField][] {
  const entries = Object.entries(fields);
  const groups = [...new Set(entries.map(([, f]) => f.group ?? ''))];
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      const g = groups.indexOf(a.entry[1].group ?? '') - groups.indexOf(b.entry[1].group ?? '');
      if (g !== 0) return g;
      const o = (a.entry[1].order ?? Number.MAX_SAFE_INTEGER) - (b.entry[1].order ?? Number.MAX_SAFE_INTEGER);
      return o !== 0 ? o : a.index - b.index;
    })
    .map(({ entry }) => entry);
}

/** Names of the secret top-level options. */
export function secretOptionNames(spec: OptionsSpec | undefined): string[] {
  return Object.entries(spec?.fields ?? {})
    .filter(([, f]) => f.secret)
    .map(([name]) => name);
}

/** Whether a dotted option path lies in a secret option. */
export function isSecretPath(spec: OptionsSpec | undefined, path: string): boolean {
  const top = path.split('.')[0]!;
  return spec?.fields?.[top]?.secret === true;
}

/** Every secret value in these options, as strings to scrub from output (short ones are kept: a 1-character secret is still a secret). */
export function secretValues(spec: OptionsSpec | undefined, options: unknown): string[] {
  if (!isPlainObject(options)) return [];
  const values: string[] = [];
  for (const name of secretOptionNames(spec)) {
    const value = options[name];
    if (value === undefined || value === null || value === '') continue;
    values.push(typeof value === 'string' ? value : typeof value === 'bigint' ? String(value) : quote(value));
  }
  return values;
}

/** Replaces every occurrence of the given secrets in a text by `***`. Longest first, so overlapping secrets vanish whole. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of [...new Set(secrets)].filter(Boolean).sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
  return out;
}

/** The dotted option path a Standard Schema issue points at (`''` for the whole options object). */
export function issuePath(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? []).map(p => String(typeof p === 'object' ? p.key : p)).join('.');
}

/** The value at a dotted option path, or undefined (also for the whole object, `''`). */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return undefined;
  return path.split('.').reduce<unknown>((v, key) => (isPlainObject(v) ? v[key] : undefined), value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
