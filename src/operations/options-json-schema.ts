import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { invalidArgument, PluginConfigError } from '../errors.js';
import type { OptionField, OptionsSpec } from '../plugin-api.js';
import { fieldDefaults, sortedFields } from '../registry/option-fields.js';
import { optionsSpecProblem } from '../registry/options-spec.js';
import { sameJson } from './json-values.js';
import { readInputObjectSchema, stripValues } from './standard-json-schema.js';

export interface JsonSchema {
  $schema: string;
  title?: string;
  description?: string;
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: boolean;
  /** Definitions the options schema's properties refer to (`$ref: '#/$defs/…'`). */
  $defs?: Record<string, unknown>;
  /** Why the plugin's options schema could not be converted: the properties come from `fields` alone. */
  'x-schema-error'?: string;
}

/**
 * A plugin's options as a JSON Schema (draft 2020-12), so a UI can render a form. The options
 * schema gives the properties where it implements Standard JSON Schema (its input side: what a user
 * writes); `fields` add theirs and their rules, `group`/`order` as `x-group`/`x-order`. Secrets are
 * `writeOnly` (`format: 'password'` for strings) and carry no default, enum, const or examples.
 */
export function toJsonSchema(spec: OptionsSpec | undefined, meta: { name?: string; description?: string } = {}): JsonSchema {
  checkSpec('toJsonSchema', spec);
  if (typeof meta !== 'object' || meta === null) throw invalidArgument('toJsonSchema', 'meta', 'an object { name, description }', meta);
  const read = readInputObjectSchema(spec?.schema);
  const fromSchema = typeof read === 'object' ? read : undefined;
  const fields = spec?.fields ?? {};
  // What start-up merges in before validating: an option with one need not be written.
  const filled: Record<string, unknown> = { ...fieldDefaults(fields), ...spec?.defaults };
  const properties: Record<string, Record<string, unknown>> = {};
  // Form order: the fields first (group, then order), then the schema's other properties.
  const names = [...new Set([...sortedFields(fields).map(([name]) => name), ...Object.keys(fromSchema?.properties ?? {})])];
  for (const name of names) {
    const field = fields[name];
    const prop = merge(fromSchema?.properties[name] ?? {}, field ? fieldSchema(field) : {});
    const secret = field?.secret === true || prop.writeOnly === true;
    if (filled[name] !== undefined) prop.default = filled[name];
    if (secret) {
      stripValues(prop);
      prop.writeOnly = true;
      if ((field?.type ?? prop.type) === 'string' && prop.format === undefined) prop.format = 'password';
    }
    properties[name] = prop;
  }
  const required = [...new Set([...(fromSchema?.required ?? []), ...names.filter(n => fields[n]?.required)])].filter(n => filled[n] === undefined);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(meta.name ? { title: meta.name } : {}),
    ...(meta.description ? { description: meta.description } : {}),
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    // `validateFields` does not reject other keys; a strict options schema does.
    additionalProperties: fromSchema?.additionalProperties ?? true,
    ...(fromSchema?.$defs ? { $defs: fromSchema.$defs } : {}),
    ...(typeof read === 'string' ? { 'x-schema-error': read } : {}),
  };
}

/** Why the plugin's options schema offers JSON Schema but could not be converted; undefined when it could, or offers none. */
export function optionsSchemaProblem(spec: OptionsSpec | undefined): string | undefined {
  const read = readInputObjectSchema(spec?.schema);
  return typeof read === 'string' ? read : undefined;
}

/** The JSON Schema of a registered plugin's options, for a form. */
export function optionsJsonSchema(ormOrEm: MikroORM | EntityManager, plugin: string): JsonSchema {
  const runtime = runtimeOf(ormOrEm);
  if (typeof plugin !== 'string') throw invalidArgument('optionsJsonSchema', 'plugin', 'a plugin name', plugin);
  const definition = runtime.registry.definition(plugin);
  if (!definition) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${plugin}' is registered`, { plugin });
  return toJsonSchema(definition.options, { name: plugin, description: definition.description });
}

/** One field as JSON Schema keywords (its default is set by the caller, which knows `defaults`). */
function fieldSchema(field: OptionField): Record<string, unknown> {
  const prop: Record<string, unknown> = { type: field.type };
  if (field.description) prop.description = field.description;
  if (field.type === 'string') {
    if (field.min !== undefined) prop.minLength = field.min;
    if (field.max !== undefined) prop.maxLength = field.max;
    if (field.pattern !== undefined) prop.pattern = `^(?:${field.pattern})$`;
  } else if (field.type === 'number' || field.type === 'integer') {
    if (field.min !== undefined) prop.minimum = field.min;
    if (field.max !== undefined) prop.maximum = field.max;
  } else if (field.type === 'array') {
    if (field.min !== undefined) prop.minItems = field.min;
    if (field.max !== undefined) prop.maxItems = field.max;
  }
  if (field.enum) prop.enum = [...field.enum];
  if (field.group !== undefined) prop['x-group'] = field.group;
  if (field.order !== undefined) prop['x-order'] = field.order;
  return prop;
}

const TIGHTER: Record<string, (a: number, b: number) => number> = {
  minimum: Math.max, minLength: Math.max, minItems: Math.max, maximum: Math.min, maxLength: Math.min, maxItems: Math.min,
};
const ANNOTATIONS = new Set(['description', 'x-group', 'x-order']);

/**
 * The schema's property with a field's keywords. Start-up applies both, so the result must accept
 * only what both accept: the tighter bound wins, and a rule the schema states differently joins `allOf`.
 */
function merge(fromSchema: Record<string, unknown>, fromField: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...fromSchema };
  const both: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fromField)) {
    const theirs = merged[key];
    if (theirs === undefined || ANNOTATIONS.has(key) || sameJson(theirs, value)) merged[key] = value;
    else if (TIGHTER[key] && typeof theirs === 'number' && typeof value === 'number') merged[key] = TIGHTER[key](theirs, value);
    else if (key === 'type' && [theirs, value].includes('integer') && [theirs, value].includes('number')) merged[key] = 'integer';
    else both[key] = value;
  }
  if (Object.keys(both).length > 0) merged.allOf = [...(Array.isArray(merged.allOf) ? merged.allOf : []), both];
  return merged;
}

/** Plain JavaScript may pass any spec: a typed error naming what is wrong in it. */
export function checkSpec(fn: string, spec: unknown): asserts spec is OptionsSpec | undefined {
  const problem = optionsSpecProblem(spec);
  if (problem) throw new PluginConfigError('MOP_INVALID_ARGUMENT', `${fn}: '${problem.path}' of the options spec must be ${problem.expected}`, { option: problem.path });
}
