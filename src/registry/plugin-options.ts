import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PluginOptionsError } from '../errors.js';
import type { OptionIssue } from '../plugin-api.js';
import type { PluginDefinition } from './plugin-definition.js';

/**
 * Applies a plugin's defaults to the options an entity gave, then its schema or validate function.
 * Runs at start-up, so a bad option fails `MikroORM.init` and never reaches a hook.
 */
export async function resolvePluginOptions(definition: PluginDefinition, given: unknown, entity: string): Promise<unknown> {
  const fail = (issue: OptionIssue, received?: unknown) =>
    new PluginOptionsError({ plugin: definition.name, entity, option: issue.option, expected: issue.expected, received });
  if (given !== true && !isPlainObject(given)) throw fail({ option: '', expected: 'an options object or true' }, given);
  const spec = definition.options;
  let options: unknown = { ...spec.defaults, ...(given === true ? {} : given) };
  if (spec.schema) {
    const result = await spec.schema['~standard'].validate(options);
    if (result.issues) {
      const [first] = result.issues;
      const option = pathOf(first!);
      throw fail({ option, expected: first!.message }, valueAt(options, option));
    }
    options = result.value;
  }
  const issues = spec.validate?.(options as never);
  if (issues && issues.length > 0) throw fail(issues[0]!, valueAt(options, issues[0]!.option));
  return Object.freeze(options);
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? []).map(p => String(typeof p === 'object' ? p.key : p)).join('.');
}

function valueAt(value: unknown, path: string): unknown {
  if (path === '') return undefined;
  return path.split('.').reduce<unknown>((v, key) => (isPlainObject(v) ? v[key] : undefined), value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
