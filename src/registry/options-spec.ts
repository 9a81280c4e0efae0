import type { OptionsSpec } from '../plugin-api.js';
import { isPlainObject } from './option-fields.js';

const FIELD_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

export interface SpecProblem {
  /** Where in the spec: `options.fields.host.min`. */
  readonly path: string;
  readonly expected: string;
}

/**
 * What is wrong with a plugin's options spec, or undefined. Checked when the plugin registers, so
 * a malformed `fields` entry is a typed error there, not a TypeError when an entity starts using it.
 */
export function optionsSpecProblem(spec: unknown): SpecProblem | undefined {
  if (spec === undefined) return undefined;
  if (!isPlainObject(spec)) return { path: 'options', expected: 'an object { defaults, schema, validate, fields, live }' };
  const { defaults, schema, validate, fields, live } = spec as Record<string, unknown>;
  if (live !== undefined && (!Array.isArray(live) || !live.every(name => typeof name === 'string' && name !== '' && !name.includes('.')))) {
    return { path: 'options.live', expected: 'an array of top-level option names' };
  }
  if (Array.isArray(live) && isPlainObject(fields)) {
    const secret = live.find(name => (fields as Record<string, { secret?: unknown }>)[name]?.secret === true);
    if (secret !== undefined) return { path: 'options.live', expected: `no secret option ('${secret}' is write-only and never stored)` };
  }
  if (defaults !== undefined && !isPlainObject(defaults)) return { path: 'options.defaults', expected: 'an object' };
  if (validate !== undefined && typeof validate !== 'function') return { path: 'options.validate', expected: 'a function' };
  if (schema !== undefined) {
    const standard = (schema as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
    if ((typeof schema !== 'object' && typeof schema !== 'function') || schema === null || typeof standard?.validate !== 'function') {
      return { path: 'options.schema', expected: 'a Standard Schema (zod, valibot, arktype…)' };
    }
  }
  if (fields === undefined) return undefined;
  if (!isPlainObject(fields)) return { path: 'options.fields', expected: 'an object of option name to field' };
  for (const [name, field] of Object.entries(fields)) {
    const problem = fieldProblem(field);
    if (problem) return { path: `options.fields.${name}${problem.key ? `.${problem.key}` : ''}`, expected: problem.expected };
  }
  return undefined;
}

function fieldProblem(field: unknown): { key: string; expected: string } | undefined {
  if (!isPlainObject(field)) return { key: '', expected: 'an object { type, … }' };
  const f = field as Record<string, unknown>;
  if (typeof f.type !== 'string' || !FIELD_TYPES.has(f.type)) return { key: 'type', expected: [...FIELD_TYPES].map(t => `'${t}'`).join(', ') };
  for (const key of ['required', 'secret'] as const) if (f[key] !== undefined && typeof f[key] !== 'boolean') return { key, expected: 'a boolean' };
  for (const key of ['description', 'group'] as const) if (f[key] !== undefined && typeof f[key] !== 'string') return { key, expected: 'a string' };
  for (const key of ['order', 'min', 'max'] as const) if (f[key] !== undefined && (typeof f[key] !== 'number' || !Number.isFinite(f[key]))) return { key, expected: 'a finite number' };
  if (f.enum !== undefined && !Array.isArray(f.enum)) return { key: 'enum', expected: 'an array of the allowed values' };
  if (f.pattern !== undefined) {
    if (typeof f.pattern !== 'string') return { key: 'pattern', expected: 'a regular expression as a string' };
    try {
      new RegExp(`^(?:${f.pattern})$`, 'u');
    } catch {
      return { key: 'pattern', expected: 'a valid regular expression (with the u flag)' };
    }
  }
  return undefined;
}

/** The spec, typed, when it has no problem. */
export function isOptionsSpec(spec: unknown): spec is OptionsSpec | undefined {
  return optionsSpecProblem(spec) === undefined;
}
