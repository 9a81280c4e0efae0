import { PluginConfigError, PluginRegistrationError } from '../errors.js';
import type { PluginClass, PluginMeta } from '../plugin-api.js';
import { readPluginDefinition, type PluginDefinition } from './plugin-definition.js';
import { pluginMetaOf } from './plugin-meta.js';

export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly requires: readonly string[];
  readonly hooks: readonly { event: string; method: string; priority: number }[];
  readonly enabled: boolean;
}

interface Entry {
  readonly definition: PluginDefinition;
  readonly enabled: boolean;
}

/**
 * Plugins by name. The entry map is replaced on every change (copy on write), so a runtime
 * that read it keeps a consistent view, and the version tells it when to recompile.
 */
export class PluginRegistry {
  #entries: ReadonlyMap<string, Entry> = new Map();
  #version = 0;

  /** Registers a class under a name; a class decorated with `@plugin` may omit the name. */
  register(name: string, pluginClass: PluginClass): this;
  register(pluginClass: PluginClass): this;
  register(nameOrClass: string | PluginClass, maybeClass?: PluginClass): this {
    const pluginClass = typeof nameOrClass === 'string' ? maybeClass : nameOrClass;
    if (typeof pluginClass !== 'function') {
      throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `register() needs a plugin class, got ${typeof pluginClass}`, {
        plugin: typeof nameOrClass === 'string' ? nameOrClass : undefined,
      });
    }
    const decorated = pluginMetaOf(pluginClass);
    const name = typeof nameOrClass === 'string' ? nameOrClass : decorated?.name;
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
    this.#commit(new Map(this.#entries).set(name, { definition: readPluginDefinition(pluginClass, meta), enabled: true }));
    return this;
  }

  registerMany(plugins: Readonly<Record<string, PluginClass>> | readonly PluginClass[]): this {
    if (Array.isArray(plugins)) for (const cls of plugins) this.register(cls as PluginClass);
    else for (const [name, cls] of Object.entries(plugins)) this.register(name, cls);
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

  /** Registration order: the last tie-breaker of every chain. */
  names(): readonly string[] {
    return [...this.#entries.keys()];
  }

  /** Bumped on every change; runtimes compare it to recompile their chains on the next operation. */
  get version(): number {
    return this.#version;
  }

  #setEnabled(name: string, enabled: boolean): this {
    const entry = this.#entries.get(name);
    if (!entry) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${name}' is registered`, { plugin: name });
    if (entry.enabled !== enabled) this.#commit(new Map(this.#entries).set(name, { ...entry, enabled }));
    return this;
  }

  #commit(entries: Map<string, Entry>): void {
    this.#entries = entries;
    this.#version++;
  }
}

function toInfo({ definition, enabled }: Entry): PluginInfo {
  return Object.freeze({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    requires: definition.requires,
    hooks: definition.hooks.map(h => ({ event: h.event, method: String(h.method), priority: h.priority })),
    enabled,
  });
}

/** The registry `@plugin` registers into unless told otherwise. */
export const defaultRegistry = new PluginRegistry();
