import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { invalidArgument, PluginConfigError, PluginError } from '../errors.js';
import { didYouMean } from '../registry/did-you-mean.js';
import { isPlainObject, isSecretPath, MASK } from '../registry/option-fields.js';
import { maskUrls } from '../registry/secrets.js';
import { operationsOf } from './extension.js';
import { jsonSafe, sameJson } from './json-values.js';
import { stripSecrets } from './masked-options.js';
import { optionIssues } from './option-issues.js';
import { GLOBAL } from './state/entities.js';
import type { PluginStateRecord } from './state/records.js';
import { liveOptionNames } from './state/live-options.js';
import { OptionNotLiveError } from './errors.js';

/** One option an edit got wrong: its dotted path and what was expected (secrets masked). */
export interface OptionEditIssue {
  readonly option: string;
  readonly expected: string;
}

export type OptionEditResult = { readonly ok: true; readonly stored: Record<string, unknown> } | { readonly ok: false; readonly issues: readonly OptionEditIssue[] };

/**
 * Checks an edit of one plugin's options on one entity the way start-up checks options (the
 * plugin's schema, fields and `validate`, given the entity's metadata), merged over the options the
 * entity runs with now (the code's, with the live edits applied). Only options the plugin declares
 * `live` may change: a change of any other throws `MOP_OPTION_NOT_LIVE` (the code is the source of
 * those, and a stored value would never run, not even after a restart). Secret options
 * are write-only and never stored: leaving one out, or sending `***`, keeps the current value; a new
 * value is an issue (secrets are set where the application's configuration is, never through stored state).
 * A value equal to the current one as shown (a URL with its password `***`) keeps the current one.
 * `stored` is what `setPluginOptions` stores: the result with the secret options left out.
 */
export async function checkPluginOptions(ormOrEm: MikroORM | EntityManager, plugin: string, entity: string, edit: Record<string, unknown>): Promise<OptionEditResult> {
  const { definition, current, meta } = target('checkPluginOptions', ormOrEm, plugin, entity, edit);
  const spec = definition.options;
  const merged: Record<string, unknown> = { ...current };
  const issues: OptionEditIssue[] = [];
  const fixed: string[] = [];
  for (const [name, value] of Object.entries(edit)) {
    if (isSecretPath(spec, name)) {
      if (value === undefined || value === MASK) continue;
      issues.push({ option: name, expected: 'no new value: a secret option is write-only and never stored; set it in the application configuration' });
      continue;
    }
    if (name in current && sameJson(jsonSafe(maskUrls(current[name])), value)) continue;
    if (!liveOptionNames(definition).includes(name)) {
      fixed.push(name);
      continue;
    }
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (fixed.length > 0) throw new OptionNotLiveError(definition, entity, fixed);
  const found = await optionIssues(definition, merged, entity, meta);
  if (found.errors.length > 0) return { ok: false, issues: found.errors.map(e => ({ option: e.option ?? '', expected: e.expected })) };
  return { ok: true, stored: (jsonSafe(stripSecrets(spec, merged)) as Record<string, unknown>) ?? {} };
}

/**
 * Checks the edit (`checkPluginOptions`) and, when valid, stores it as the options of the plugin's
 * `plugin_state` row for the entity, secret options left out, bumping the version counter (and
 * notifying) so every instance reads it. Each instance then runs the entity's chains with the edited
 * live options, this one before the call returns, others when the change reaches them; a restart
 * keeps them. `sync --mode update` puts the code's options back.
 */
export async function setPluginOptions(ormOrEm: MikroORM | EntityManager, plugin: string, entity: string, edit: Record<string, unknown>): Promise<OptionEditResult & { record?: PluginStateRecord }> {
  const checked = await checkPluginOptions(ormOrEm, plugin, entity, edit);
  if (!checked.ok) return checked;
  const { store } = operationsOf(ormOrEm);
  if (!store) throw new PluginError('MOP_STATE_UNAVAILABLE', 'pluginOperations() was installed with `state: false`: there is no plugin state');
  if (!store.available && !(await store.load())) throw new PluginError('MOP_STATE_UNAVAILABLE', 'The plugin state table does not exist: create it with your migrations or orm.schema.update(), then run sync');
  const record = await store.setOptions(plugin, entity, checked.stored);
  return { ...checked, record };
}

function target(fn: string, ormOrEm: MikroORM | EntityManager, plugin: unknown, entity: unknown, edit: unknown) {
  const runtime = runtimeOf(ormOrEm);
  if (typeof plugin !== 'string' || plugin === '') throw invalidArgument(fn, 'plugin', 'a plugin name', plugin);
  if (typeof entity !== 'string' || entity === '' || entity === GLOBAL) throw invalidArgument(fn, 'entity', 'an entity name', entity);
  if (!isPlainObject(edit)) throw invalidArgument(fn, 'options', 'an object of options', edit);
  const definition = runtime.registry.definition(plugin);
  if (!definition) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${plugin}' is registered${didYouMean(plugin, runtime.registry.names())}`, { plugin });
  const attached = [...runtime.attachments()].filter(([, list]) => list.some(p => p.plugin === plugin)).map(([name]) => name);
  if (!attached.includes(entity)) throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `Plugin '${plugin}' is not attached to entity '${entity}'${didYouMean(entity, attached)}`, { plugin, entity });
  const running = runtime.optionsFor(entity, plugin);
  const current: Record<string, unknown> = isPlainObject(running) ? { ...running } : {};
  return { definition, current, meta: ormOrEm.getMetadata().getByClassName(entity, false) };
}
