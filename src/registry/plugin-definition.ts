import { isValidRange, isValidVersion } from './semver.js';
import { PluginRegistrationError } from '../errors.js';
import { isBuiltInEvent, type CustomEventKind } from '../events.js';
import type { HookDefinition, OptionsSpec, PluginClass, PluginDependencies, PluginMeta } from '../plugin-api.js';
import { classLineage } from './decorator-mode.js';
import { decoratedHooks } from './hook-decorator.js';
import { describeValue, quote } from './plugin-meta.js';
import { optionsSpecProblem } from './options-spec.js';

/** Everything the chain builder needs to know about a plugin, read once at registration. */
export interface PluginDefinition {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Names of the required plugins. */
  readonly requires: readonly string[];
  /** Required plugin → semver range (`*` for any version). */
  readonly requiredVersions: ReadonlyMap<string, string>;
  /** Conflicting plugin → the semver range of its versions that conflict (`*` for all). */
  readonly conflicts: ReadonlyMap<string, string>;
  /** Custom events this plugin declares (fires with `emit()`), each with its kind. */
  readonly events: ReadonlyMap<string, CustomEventKind>;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly options: OptionsSpec;
  /** The npm package that provides the plugin, when it says so. */
  readonly package: string | undefined;
  readonly hooks: readonly HookDefinition[];
  readonly pluginClass: PluginClass;
}

const NAME = /^[A-Za-z][\w.:-]*$/;
const EVENT = /^[A-Za-z][\w.:-]*$/;
/** Plugin methods the package calls without `@hook`. */
const LIFECYCLE_METHODS = ['setupEntity', 'onLoad', 'onUnload', 'healthCheck', 'testConnection', 'interceptFindOne'];

export function readPluginDefinition(pluginClass: PluginClass, meta: PluginMeta): PluginDefinition {
  const fail = (message: string) => new PluginRegistrationError('MOP_INVALID_PLUGIN', message, { plugin: meta.name });
  // An arrow or bound function has no prototype: it can be neither constructed nor searched for hooks.
  if (typeof pluginClass !== 'function' || typeof pluginClass.prototype !== 'object' || pluginClass.prototype === null) {
    throw fail(`Plugin '${meta.name}' must be a class, got ${describeValue(pluginClass)}`);
  }
  if (typeof meta.name !== 'string' || !NAME.test(meta.name)) {
    throw fail(`Plugin name ${quote(meta.name)} must start with a letter and hold only letters, digits and _ . : -`);
  }
  for (const key of ['before', 'after'] as const) {
    const list = meta[key];
    if (list !== undefined && (!Array.isArray(list) || list.some(n => typeof n !== 'string'))) {
      throw fail(`Plugin '${meta.name}': '${key}' must be an array of plugin names`);
    }
  }
  if (meta.package !== undefined && (typeof meta.package !== 'string' || meta.package === '')) {
    throw fail(`Plugin '${meta.name}': 'package' must be a package name, got ${quote(meta.package)}`);
  }
  const version = meta.version ?? '0.0.0';
  if (typeof version !== 'string' || !isValidVersion(version)) throw fail(`Plugin '${meta.name}': version ${quote(version)} is not a semver version such as '1.2.0'`);
  const requiredVersions = readDependencies(meta, 'requires', fail);
  const conflicts = readDependencies(meta, 'conflicts', fail);
  const events = readEvents(meta, fail);
  const options = meta.options ?? pluginClass.options ?? {};
  const specProblem = optionsSpecProblem(options);
  if (specProblem) {
    throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `Plugin '${meta.name}': '${specProblem.path}' must be ${specProblem.expected}`, { plugin: meta.name, option: specProblem.path });
  }
  const hooks = collectHooks(pluginClass);
  for (const def of hooks) {
    const fn = (pluginClass.prototype as Record<string | symbol, unknown>)[def.method];
    if (typeof fn !== 'function') throw fail(`Plugin '${meta.name}': hook '${String(def.method)}' is not a method`);
    if (typeof def.event !== 'string' || !EVENT.test(def.event)) throw fail(`Plugin '${meta.name}': hook '${String(def.method)}' names the event ${quote(def.event)}`);
    if (!Number.isFinite(def.priority)) throw fail(`Plugin '${meta.name}': hook '${String(def.method)}' has a non-finite priority`);
  }
  if (hooks.length === 0) checkHooksNotLost(pluginClass, meta.name, fail);
  return Object.freeze({
    name: meta.name,
    version,
    description: meta.description ?? '',
    requires: Object.freeze([...requiredVersions.keys()]),
    requiredVersions,
    conflicts,
    events,
    before: Object.freeze([...(meta.before ?? [])]),
    after: Object.freeze([...(meta.after ?? [])]),
    options,
    package: meta.package,
    hooks: Object.freeze(hooks),
    pluginClass,
  });
}

/** `['a']` or `{ a: '^1.2' }` → name → range; every range must parse. */
function readDependencies(meta: PluginMeta, key: 'requires' | 'conflicts', fail: (message: string) => Error): ReadonlyMap<string, string> {
  const given: PluginDependencies | undefined = meta[key];
  if (given === undefined) return new Map();
  const isList = Array.isArray(given);
  if (!isList && (typeof given !== 'object' || given === null)) throw fail(`Plugin '${meta.name}': '${key}' must be an array of plugin names or { name: 'semver range' }`);
  const entries: [unknown, unknown][] = isList ? (given as readonly unknown[]).map(name => [name, '*']) : Object.entries(given);
  const dependencies = new Map<string, string>();
  for (const [name, range] of entries) {
    if (typeof name !== 'string' || !NAME.test(name)) throw fail(`Plugin '${meta.name}': '${key}' holds ${quote(name)}, not a plugin name`);
    if (name === meta.name) throw fail(`Plugin '${meta.name}': '${key}' names the plugin itself`);
    if (typeof range !== 'string' || !isValidRange(range)) {
      throw fail(`Plugin '${meta.name}': '${key}' gives plugin '${name}' the range ${quote(range)}, which is not a semver range such as '^1.2'`);
    }
    dependencies.set(name, range);
  }
  return dependencies;
}

const CUSTOM_KINDS: readonly string[] = ['sequential', 'veto', 'waterfall'] satisfies CustomEventKind[];

/** `['a']` (sequential) or `{ a: 'veto' }` → event → kind. */
function readEvents(meta: PluginMeta, fail: (message: string) => Error): ReadonlyMap<string, CustomEventKind> {
  const given: unknown = meta.events ?? [];
  if (typeof given !== 'object' || given === null) throw fail(`Plugin '${meta.name}': 'events' must be an array of custom event names or { name: kind }`);
  const entries: [unknown, unknown][] = Array.isArray(given) ? given.map(event => [event, 'sequential']) : Object.entries(given);
  const events = new Map<string, CustomEventKind>();
  for (const [event, kind] of entries) {
    if (typeof event !== 'string' || !EVENT.test(event)) throw fail(`Plugin '${meta.name}': 'events' holds ${quote(event)}, not an event name`);
    if (isBuiltInEvent(event)) throw fail(`Plugin '${meta.name}': '${event}' is a built-in event; 'events' declares custom ones`);
    if (typeof kind !== 'string' || !CUSTOM_KINDS.includes(kind)) {
      throw fail(`Plugin '${meta.name}': event '${event}' has the kind ${quote(kind)}; a custom event is ${CUSTOM_KINDS.map(k => `'${k}'`).join(', ')}`);
    }
    events.set(event, kind as CustomEventKind);
  }
  return events;
}

/**
 * Legacy (`experimentalDecorators`) decorators inside a class expression are dropped by the compiler,
 * so `plugin(name)(class { @hook(...) m() {} })` reaches us with methods and no hooks. A plugin whose
 * methods nothing would ever call is refused instead of registering as a silent no-op.
 */
function checkHooksNotLost(pluginClass: PluginClass, name: string, fail: (message: string) => Error): void {
  const methods = classLineage(pluginClass).flatMap(cls =>
    Object.entries(Object.getOwnPropertyDescriptors(cls.prototype))
      .filter(([key, descriptor]) => key !== 'constructor' && typeof descriptor.value === 'function')
      .map(([key]) => key),
  );
  if (methods.length === 0 || methods.some(m => LIFECYCLE_METHODS.includes(m))) return;
  throw fail(
    `Plugin '${name}' has methods (${methods.join(', ')}) but no hooks. If they carry @hook: legacy (experimentalDecorators) ` +
      'decorators are dropped inside a class expression; declare the plugin as a class statement (@plugin(...) class X { ... })',
  );
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
      conventional.push(Object.freeze({ event: key, method: key, priority: 0, appliesTo: 'attached', before: [], after: [], batch: false }));
    }
  }
  // A subclass re-decorating a method replaces the inherited definition for that event.
  const unique = new Map<string, HookDefinition>();
  for (const def of [...decorated, ...conventional]) unique.set(`${def.event}\0${String(def.method)}`, def);
  return [...unique.values()];
}
