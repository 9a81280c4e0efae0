import type { StandardJSONSchemaV1 } from '@standard-schema/spec';
import { isPlainObject } from '../registry/option-fields.js';
import { messageOf, quote } from '../registry/plugin-meta.js';

type Schema = Record<string, unknown>;

/** The object a Standard Schema's input JSON Schema describes: what a user may write as options. */
export interface InputObjectSchema {
  readonly properties: Record<string, Schema>;
  readonly required: readonly string[];
  /** False only when the schema rejects unknown keys (a catch-all schema counts as true). */
  readonly additionalProperties: boolean;
  readonly $defs?: Schema;
}

/**
 * Reads the input JSON Schema (draft 2020-12) of a schema implementing Standard JSON Schema (zod ≥ 4.2,
 * ArkType, Valibot…). Undefined when the schema does not offer one; a string (the reason) when the
 * conversion throws or describes no object, since a library may refuse types JSON cannot hold.
 */
export function readInputObjectSchema(schema: unknown): InputObjectSchema | string | undefined {
  const converter = (schema as Partial<StandardJSONSchemaV1> | undefined)?.['~standard']?.jsonSchema;
  if (typeof converter?.input !== 'function') return undefined;
  let root: unknown;
  try {
    // A copy: the result is edited (secrets stripped) and a library may hand out a cached object.
    root = structuredClone(converter.input({ target: 'draft-2020-12' }));
  } catch (error) {
    return messageOf(error);
  }
  if (!isPlainObject(root)) return 'the converter returned no schema';
  const defs = isPlainObject(root.$defs) ? root.$defs : undefined;
  // A root with an id is a reference into $defs (zod's `.meta({ id })`).
  const ref = typeof root.$ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(root.$ref)?.[1] : undefined;
  const object = ref !== undefined && defs && isPlainObject(defs[ref]) ? defs[ref] : root;
  const type = object.type;
  if (type !== 'object' && !(Array.isArray(type) && type.includes('object'))) {
    return `it describes ${type === undefined ? 'no object' : `type ${quote(type)}, not an object`}`;
  }
  const properties: Record<string, Schema> = {};
  for (const [name, property] of Object.entries(isPlainObject(object.properties) ? object.properties : {})) {
    // `true` (anything) is a valid JSON Schema too; as an object it can take annotations.
    properties[name] = isPlainObject(property) ? property : {};
  }
  return {
    properties,
    required: Array.isArray(object.required) ? object.required.filter((n): n is string => typeof n === 'string') : [],
    additionalProperties: object.additionalProperties !== false,
    ...(defs ? { $defs: defs } : {}),
  };
}

/** Keywords that carry example or permitted values: a secret's schema must show none. */
const VALUE_KEYWORDS = ['default', 'enum', 'const', 'examples'];

/** Removes every value-carrying keyword from a schema and the schemas inside it (a secret's). */
export function stripValues(schema: unknown): void {
  if (Array.isArray(schema)) for (const item of schema) stripValues(item);
  if (!isPlainObject(schema)) return;
  for (const keyword of VALUE_KEYWORDS) delete schema[keyword];
  for (const value of Object.values(schema)) stripValues(value);
}
