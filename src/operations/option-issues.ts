import type { EntityMetadata } from '@mikro-orm/core';
import type { PluginRuntime } from '../bridge/plugin-runtime.js';
import { PluginConfigError, PluginOptionsError, type PluginError } from '../errors.js';
import { scrubSecrets } from '../registry/secrets.js';
import type { OptionIssue } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import { fieldDefaults, isPlainObject, issuePath, secretValues, shownValue, validateFields, valueAt } from '../registry/option-fields.js';
import { messageOf } from '../registry/plugin-meta.js';

/** Every problem with one entity's plugins and options, and the secret values they hold (to scrub from output). */
export interface EntityOptionIssues {
  readonly errors: readonly PluginError[];
  readonly secrets: readonly string[];
}

/**
 * Checks an entity's plugins as start-up does (plugin registered, dependencies registered, options
 * valid), but reports every problem instead of throwing the first: what `doctor` lists. The errors
 * are the ones start-up would throw, with the same codes, names and secret masking.
 */
export async function entityOptionIssues(runtime: PluginRuntime, meta: EntityMetadata): Promise<EntityOptionIssues> {
  const entity = meta.className;
  const errors: PluginError[] = [];
  const secrets: string[] = [];
  for (const [name, setting] of runtime.pluginSettingsOf(meta)) {
    if (setting === false) continue;
    const definition = runtime.registry.definition(name);
    if (!definition) {
      errors.push(new PluginConfigError('MOP_UNKNOWN_PLUGIN', `Entity '${entity}' names plugin '${name}', which is not registered`, { entity, plugin: name }));
      continue;
    }
    for (const required of definition.requires.filter(r => !runtime.registry.has(r))) {
      errors.push(
        new PluginConfigError('MOP_MISSING_DEPENDENCY', `Plugin '${name}' (used by entity '${entity}') requires plugin '${required}', which is not registered`, { entity, plugin: name }),
      );
    }
    const found = await optionIssues(definition, setting, entity);
    errors.push(...found.errors);
    secrets.push(...found.secrets);
  }
  return { errors, secrets };
}

/**
 * Every invalid option one plugin has on one entity, in the order start-up checks them: the
 * Standard Schema (all its issues), then `fields`, then the `validate` function. An option already
 * reported by an earlier check is not reported again.
 */
export async function optionIssues(definition: PluginDefinition, given: unknown, entity: string, meta?: EntityMetadata): Promise<{ errors: PluginOptionsError[]; secrets: string[] }> {
  const spec = definition.options;
  if (given !== true && !isPlainObject(given)) {
    const received = spec.fields ? undefined : given;
    return { errors: [new PluginOptionsError({ plugin: definition.name, entity, option: '', expected: 'an options object or true', received })], secrets: [] };
  }
  let options: unknown = { ...fieldDefaults(spec.fields), ...spec.defaults, ...(given === true ? {} : given) };
  const secrets = secretValues(spec, options);
  const errors: PluginOptionsError[] = [];
  const reported = new Set<string>();
  const add = (issue: OptionIssue, values: unknown, skipReported: boolean) => {
    if (skipReported && reported.has(issue.option)) return;
    reported.add(issue.option);
    const received = valueAt(values, issue.option);
    errors.push(
      new PluginOptionsError({
        plugin: definition.name,
        entity,
        option: issue.option,
        expected: scrubSecrets(issue.expected, secrets),
        received: shownValue(spec, issue.option, received, secrets),
      }),
    );
  };
  const threw = (what: string, error: unknown) => ({ option: '', expected: `options ${what} accepts; it threw: ${messageOf(error)}` });

  if (spec.schema) {
    try {
      const result = await spec.schema['~standard'].validate(options);
      if (result.issues) for (const issue of result.issues) add({ option: issuePath(issue), expected: issue.message }, options, false);
      else {
        options = result.value;
        secrets.push(...secretValues(spec, options));
      }
    } catch (error) {
      add(threw('the schema', error), options, false);
    }
  }
  for (const issue of validateFields(spec.fields, options)) add(issue, options, true);
  try {
    for (const issue of spec.validate?.(options as never, meta ? { entity, meta } : { entity }) ?? []) add(issue, options, true);
  } catch (error) {
    // A validate function may assume what the checks before it guarantee: its throw only counts when nothing else was wrong.
    if (errors.length === 0) add(threw('the validate function', error), options, true);
  }
  return { errors, secrets: [...new Set(secrets)] };
}
