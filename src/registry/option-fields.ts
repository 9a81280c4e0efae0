import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { OptionField, OptionIssue, OptionsSpec } from '../plugin-api.js';
import { MASK, maskUrls, scrubSecrets, secretTexts, urlPasswords } from './secrets.js';
import { quote } from './plugin-meta.js';

export { MASK };

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

/**
 * Every text these options' secrets may show up as, to scrub from output: each string and number
 * inside a secret option (of any type), and the password of any URL with credentials in the others.
 */
export function secretValues(spec: OptionsSpec | undefined, options: unknown): string[] {
  if (!isPlainObject(options)) return [];
  const secret = new Set(secretOptionNames(spec));
  const values = Object.entries(options).flatMap(([name, value]) => (secret.has(name) ? secretTexts(value) : urlPasswords(value)));
  return [...new Set(values)];
}

/** An option value as an error quotes it: `***` inside a secret option or when it holds a secret, URL passwords masked otherwise. */
export function shownValue(spec: OptionsSpec | undefined, path: string, value: unknown, secrets: readonly string[]): unknown {
  if (value === undefined) return undefined;
  if (isSecretPath(spec, path)) return MASK;
  const masked = maskUrls(value);
  let text: string;
  try {
    text = typeof masked === 'string' ? masked : String(JSON.stringify(masked));
  } catch {
    return masked;
  }
  return scrubSecrets(text, secrets) === text ? masked : MASK;
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
