import { invalidArgument, PluginConfigError, PluginRegistrationError } from '../errors.js';
import type { CustomEventKind } from '../events.js';
import type { PluginClass, PluginInstance, PluginMeta } from '../plugin-api.js';
import { checkHookEvents, type DeclaredEvent } from './event-names.js';
import { readPluginDefinition, type PluginDefinition } from './plugin-definition.js';
import { describeValue, pluginMetaOf, pluginNameOfInstance } from './plugin-meta.js';

export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Required plugins, with the semver range each must satisfy (`*` for any version). */
  readonly requires: readonly string[];
  readonly requiredVersions: Readonly<Record<string, string>>;
  /** Plugins it cannot run with, with the conflicting versions (`*` for all). */
  readonly conflicts: Readonly<Record<string, string>>;
  /** The custom events it declares, with their kinds. */
  readonly events: Readonly<Record<string, CustomEventKind>>;
  readonly hooks: readonly { event: string; method: string; priority: number }[];
  readonly package: string | undefined;
  readonly enabled: boolean;
}

interface Entry {
  readonly definition: PluginDefinition;
  readonly enabled: boolean;
  /** Given with `register(instance)`: what every ORM on this registry uses unless its `pluginSystem({ plugins })` gives its own. */
  readonly instance?: object;
}

/**
 * Plugins by name. The entry map is replaced on every change (copy on write), so a runtime
 * that read it keeps a consistent view, and the version tells it when to recompile.
 * Custom events are declared per registry: a hook may name an event a plugin of this registry declares.
 */
export class PluginRegistry {
  #entries: ReadonlyMap<string, Entry> = new Map();
  /** Custom event → the plugin declaring it, and its kind; follows `#entries`. */
  #events: ReadonlyMap<string, DeclaredEvent> = new Map();
  #version = 0;

  /**
   * Registers a class under a name (a class decorated with `@plugin` may omit the name), or an
   * instance of a `@plugin` class: then every ORM on this registry uses that instance.
   */
  register(name: string, pluginClass: PluginClass): this;
  register(pluginClass: PluginClass): this;
  register(instance: PluginInstance): this;
  register(nameOrPlugin: string | PluginClass | PluginInstance, maybeClass?: PluginClass): this {
    if (typeof nameOrPlugin === 'object' && nameOrPlugin !== null) return this.#registerInstance(nameOrPlugin);
    const pluginClass = typeof nameOrPlugin === 'string' ? maybeClass : nameOrPlugin;
    if (typeof pluginClass !== 'function') {
      throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `register() needs a plugin class or an instance of one, got ${describeValue(pluginClass)}`, {
        plugin: typeof nameOrPlugin === 'string' ? nameOrPlugin : undefined,
      });
    }
    const decorated = pluginMetaOf(pluginClass);
    const name = typeof nameOrPlugin === 'string' ? nameOrPlugin : decorated?.name;
    if (name === undefined) {
      throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `Class ${pluginClass.name} has no @plugin name: use register(name, ${pluginClass.name})`);
    }
    const existing = this.#entries.get(name);
    if (existing?.definition.pluginClass === pluginClass) return this;
    if (existing) {
      throw new PluginRegistrationError(
        'MOP_PLUGIN_NAME_TAKEN',
        `Plugin name '${name}' is taken by class ${existing.definition.pluginClass.name}; cannot register ${pluginClass.name}`,
        { plugin: name },
      );
    }
    const meta: PluginMeta = { ...decorated, name };
    const definition = readPluginDefinition(pluginClass, meta);
    checkHookEvents(definition, this.#events, name => this.#entries.has(name), 'registration');
    checkEventKinds(definition, this.#events);
    this.#commit(new Map(this.#entries).set(name, { definition, enabled: true }));
    return this;
  }

  #registerInstance(instance: object): this {
    const name = pluginNameOfInstance(instance, 'register()');
    this.register(instance.constructor as PluginClass);
    const entry = this.#entries.get(name)!;
    if (entry.instance === instance) return this;
    if (entry.instance !== undefined) {
      throw new PluginRegistrationError('MOP_DUPLICATE_PLUGIN', `Plugin '${name}' already has an instance in this registry; an ORM can take another one with pluginSystem({ plugins })`, {
        plugin: name,
      });
    }
    this.#commit(new Map(this.#entries).set(name, { ...entry, instance }));
    return this;
  }

  registerMany(plugins: Readonly<Record<string, PluginClass>> | readonly (PluginClass | PluginInstance)[]): this {
    if (typeof plugins !== 'object' || plugins === null) {
      throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `registerMany() needs { name: PluginClass } or a list of plugin classes or instances, got ${describeValue(plugins)}`);
    }
    if (Array.isArray(plugins)) for (const item of plugins) this.register(item as never);
    else for (const [name, cls] of Object.entries(plugins as Readonly<Record<string, PluginClass>>)) this.register(name, cls);
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  getPlugin(name: string): PluginInfo | undefined {
    const entry = this.#entries.get(name);
    return entry && toInfo(entry);
  }

  list(): PluginInfo[] {
    return [...this.#entries.values()].map(toInfo);
  }

  isEnabled(name: string): boolean {
    return this.#entries.get(name)?.enabled === true;
  }

  /** Takes effect on the next operation of every ORM using this registry. */
  enable(name: string): this {
    return this.#setEnabled(name, true);
  }

  disable(name: string): this {
    return this.#setEnabled(name, false);
  }

  /** @internal The definition the chain builder reads. */
  definition(name: string): PluginDefinition | undefined {
    return this.#entries.get(name)?.definition;
  }

  /** @internal The instance given with `register(instance)`, if any. */
  instance(name: string): object | undefined {
    return this.#entries.get(name)?.instance;
  }

  /** Declared custom events, each with the plugin that declares it and its kind. */
  declaredEvents(): ReadonlyMap<string, DeclaredEvent> {
    return this.#events;
  }

  /** Registration order: the last tie-breaker of every chain. */
  names(): readonly string[] {
    return [...this.#entries.keys()];
  }

  /** Bumped on every change; runtimes compare it to recompile their chains on the next operation. */
  get version(): number {
    return this.#version;
  }

  #setEnabled(name: string, enabled: boolean): this {
    if (typeof name !== 'string') throw invalidArgument(enabled ? 'PluginRegistry.enable' : 'PluginRegistry.disable', 'name', 'a plugin name', name);
    const entry = this.#entries.get(name);
    if (!entry) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${name}' is registered`, { plugin: name });
    if (entry.enabled !== enabled) this.#commit(new Map(this.#entries).set(name, { ...entry, enabled }));
    return this;
  }

  #commit(entries: Map<string, Entry>): void {
    this.#entries = entries;
    this.#events = new Map(
      [...entries.values()].flatMap(({ definition }) => [...definition.events].map(([event, kind]) => [event, { plugin: definition.name, kind }] as const)),
    );
    this.#version++;
  }
}

function toInfo({ definition, enabled }: Entry): PluginInfo {
  return Object.freeze({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    requires: definition.requires,
    requiredVersions: Object.fromEntries(definition.requiredVersions),
    conflicts: Object.fromEntries(definition.conflicts),
    events: Object.fromEntries(definition.events),
    package: definition.package,
    hooks: definition.hooks.map(h => ({ event: h.event, method: String(h.method), priority: h.priority })),
    enabled,
  });
}

/** Two plugins may declare one custom event, with one kind: hooks and `emit()` must agree on what it returns. */
function checkEventKinds(definition: PluginDefinition, declared: ReadonlyMap<string, DeclaredEvent>): void {
  for (const [event, kind] of definition.events) {
    const other = declared.get(event);
    if (other === undefined || other.kind === kind) continue;
    throw new PluginRegistrationError(
      'MOP_EVENT_KIND_CONFLICT',
      `Plugin '${definition.name}' declares the event '${event}' as ${kind}, but plugin '${other.plugin}' declares it as ${other.kind}`,
      { plugin: definition.name, hook: event },
    );
  }
}

/** The registry `@plugin` registers into unless told otherwise. */
export const defaultRegistry = new PluginRegistry();
