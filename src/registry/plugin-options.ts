import type { EntityMetadata } from '@mikro-orm/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PluginOptionsError } from '../errors.js';
import { scrubSecrets } from './secrets.js';
import type { OptionIssue } from '../plugin-api.js';
import { fieldDefaults, isPlainObject, issuePath, secretValues, shownValue, validateFields, valueAt } from './option-fields.js';
import type { PluginDefinition } from './plugin-definition.js';

/**
 * Applies a plugin's defaults to the options an entity gave, then its schema, its `fields` and its
 * validate function. Runs at start-up, so a bad option fails `MikroORM.init` and never reaches a hook.
 * Synchronous unless the plugin's schema validates asynchronously (then a promise), so `new MikroORM()` can use it.
 */
export function resolvePluginOptions(definition: PluginDefinition, given: unknown, entity: string, meta?: EntityMetadata): unknown {
  const spec = definition.options;
  let options: unknown = isPlainObject(given) ? given : {};
  // A secret option's value never reaches an error message, whoever wrote the message.
  const fail = (issue: OptionIssue, received?: unknown) => {
    const secrets = secretValues(spec, options);
    return new PluginOptionsError({
      plugin: definition.name,
      entity,
      option: issue.option,
      expected: scrubSecrets(issue.expected, secrets),
      received: shownValue(spec, issue.option, received, secrets),
    });
  };
  if (given !== true && !isPlainObject(given)) throw fail({ option: '', expected: 'an options object or true' }, spec.fields ? undefined : given);
  options = { ...fieldDefaults(spec.fields), ...spec.defaults, ...(given === true ? {} : given) };
  const afterSchema = (result: StandardSchemaV1.Result<unknown> | undefined): unknown => {
    if (result?.issues) {
      const [first] = result.issues;
      const option = issuePath(first!);
      throw fail({ option, expected: first!.message }, valueAt(options, option));
    }
    if (result) options = result.value;
    const fieldIssues = validateFields(spec.fields, options);
    if (fieldIssues.length > 0) throw fail(fieldIssues[0]!, valueAt(options, fieldIssues[0]!.option));
    const issues = spec.validate?.(options as never, meta ? { entity, meta } : { entity });
    if (issues && issues.length > 0) throw fail(issues[0]!, valueAt(options, issues[0]!.option));
    return Object.freeze(options);
  };
  const checked = spec.schema?.['~standard'].validate(options);
  return checked instanceof Promise ? checked.then(afterSchema) : afterSchema(checked);
}
