import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { PluginConfigError } from '../errors.js';
import type { OptionsSpec } from '../plugin-api.js';
import { sortedFields } from '../registry/option-fields.js';

export interface JsonSchema {
  $schema: string;
  title?: string;
  description?: string;
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: boolean;
}

/**
 * The `fields` of a plugin's options as a JSON Schema (draft 2020-12), so a UI can render a form.
 * Secrets are `writeOnly` with `format: 'password'` and no default; `group`/`order` become
 * `x-group`/`x-order`. Plugins without `fields` get an empty object schema (their other validators still apply).
 */
export function toJsonSchema(spec: OptionsSpec | undefined, meta: { name?: string; description?: string } = {}): JsonSchema {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  const fields = spec?.fields;
  for (const [name, field] of sortedFields(fields ?? {})) {
    const prop: Record<string, unknown> = { type: field.type };
    if (field.description) prop.description = field.description;
    const fallback = field.default !== undefined ? field.default : (spec?.defaults as Record<string, unknown> | undefined)?.[name];
    if (fallback !== undefined && !field.secret) prop.default = fallback;
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
    if (field.enum && !field.secret) prop.enum = [...field.enum];
    if (field.secret) {
      prop.writeOnly = true;
      if (field.type === 'string') prop.format = 'password';
    }
    if (field.group !== undefined) prop['x-group'] = field.group;
    if (field.order !== undefined) prop['x-order'] = field.order;
    properties[name] = prop;
    if (field.required) required.push(name);
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(meta.name ? { title: meta.name } : {}),
    ...(meta.description ? { description: meta.description } : {}),
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    // `fields` describe the options a form should show; other keys are not rejected by `validateFields` either.
    additionalProperties: true,
  };
}

/** The JSON Schema of a registered plugin's options (`fields`), for a form. */
export function optionsJsonSchema(ormOrEm: MikroORM | EntityManager, plugin: string): JsonSchema {
  const definition = runtimeOf(ormOrEm).registry.definition(plugin);
  if (!definition) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${plugin}' is registered`, { plugin });
  return toJsonSchema(definition.options, { name: plugin, description: definition.description });
}
