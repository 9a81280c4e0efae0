import { PluginRegistrationError } from '../errors.js';
import { isBuiltInEvent } from '../events.js';
import type { HookDefinition, OptionsSpec, PluginClass, PluginMeta } from '../plugin-api.js';
import { classLineage } from './decorator-mode.js';
import { decoratedHooks } from './hook-decorator.js';

/** Everything the chain builder needs to know about a plugin, read once at registration. */
export interface PluginDefinition {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly requires: readonly string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly options: OptionsSpec;
  /** The npm package that provides the plugin, when it says so. */
  readonly package: string | undefined;
  readonly hooks: readonly HookDefinition[];
  readonly pluginClass: PluginClass;
}

const NAME = /^[A-Za-z][\w.:-]*$/;

export function readPluginDefinition(pluginClass: PluginClass, meta: PluginMeta): PluginDefinition {
  const fail = (message: string) => new PluginRegistrationError('MOP_INVALID_PLUGIN', message, { plugin: meta.name });
  if (typeof pluginClass !== 'function') throw fail(`Plugin '${meta.name}' must be a class, got ${typeof pluginClass}`);
  if (typeof meta.name !== 'string' || !NAME.test(meta.name)) {
    throw fail(`Plugin name ${JSON.stringify(meta.name)} must start with a letter and hold only letters, digits and _ . : -`);
  }
  for (const key of ['requires', 'before', 'after'] as const) {
    const list = meta[key];
    if (list !== undefined && (!Array.isArray(list) || list.some(n => typeof n !== 'string'))) {
      throw fail(`Plugin '${meta.name}': '${key}' must be an array of plugin names`);
    }
  }
  if (meta.package !== undefined && (typeof meta.package !== 'string' || meta.package === '')) {
    throw fail(`Plugin '${meta.name}': 'package' must be a package name, got ${JSON.stringify(meta.package)}`);
  }
  const hooks = collectHooks(pluginClass);
  for (const def of hooks) {
    const fn = (pluginClass.prototype as Record<string | symbol, unknown>)[def.method];
    if (typeof fn !== 'function') throw fail(`Plugin '${meta.name}': hook '${String(def.method)}' is not a method`);
    if (!Number.isFinite(def.priority)) throw fail(`Plugin '${meta.name}': hook '${String(def.method)}' has a non-finite priority`);
  }
  return Object.freeze({
    name: meta.name,
    version: meta.version ?? '0.0.0',
    description: meta.description ?? '',
    requires: Object.freeze([...(meta.requires ?? [])]),
    before: Object.freeze([...(meta.before ?? [])]),
    after: Object.freeze([...(meta.after ?? [])]),
    options: meta.options ?? pluginClass.options ?? {},
    package: meta.package,
    hooks: Object.freeze(hooks),
    pluginClass,
  });
}

/** Decorated hooks, plus methods named after a built-in event (the convention). */
function collectHooks(pluginClass: PluginClass): HookDefinition[] {
  const decorated = decoratedHooks(pluginClass);
  const seen = new Set(decorated.map(d => `${d.event}\0${String(d.method)}`));
  const decoratedMethods = new Set(decorated.map(d => d.method));
  const conventional: HookDefinition[] = [];
  for (const cls of classLineage(pluginClass)) {
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (!isBuiltInEvent(key) || decoratedMethods.has(key) || seen.has(`${key}\0${key}`)) continue;
      seen.add(`${key}\0${key}`);
      conventional.push(Object.freeze({ event: key, method: key, priority: 0, appliesTo: 'attached', before: [], after: [] }));
    }
  }
  // A subclass re-decorating a method replaces the inherited definition for that event.
  const unique = new Map<string, HookDefinition>();
  for (const def of [...decorated, ...conventional]) unique.set(`${def.event}\0${String(def.method)}`, def);
  return [...unique.values()];
}
