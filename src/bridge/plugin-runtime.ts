import type { EntityMetadata, EntityName, MetadataStorage, Platform } from '@mikro-orm/core';
import { BUILT_IN_CHAINS, buildEntityChains, type AttachedPlugin, type BuiltInChainName, type EntityChains } from '../chain/build-chains.js';
import { checkEntityNames } from '../config/entity-names.js';
import { declaredPluginLists } from '../config/entity-plugins.js';
import { mergePluginLists } from '../config/plugin-settings.js';
import { takesNoPlugins } from '../config/no-plugins.js';
import { PluginConfigError, type PluginError } from '../errors.js';
import type { HookDefinition, Plugin, PluginList, PluginProvider } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import { resolvePluginOptions } from '../registry/plugin-options.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';
import { PluginUsage } from '../registry/plugin-dependencies.js';
import { providedPlugins } from '../registry/plugin-providers.js';
import { eventKind, type HookKind } from '../events.js';
import { queryFilterFor } from './query-filter.js';
import { EntityTraitTable } from './entity-traits.js';
import { switchedOffPlugins } from './scope.js';
import { asyncUnderSyncDiscovery, isPromiseLike } from './sync-discovery.js';

/** A hook as `describeChain` shows it. */
export interface HookSummary {
  readonly plugin: string;
  readonly method: string;
  /** The event the hook was declared on. */
  readonly event: string;
  /** How the dispatcher treats its result. */
  readonly kind: HookKind;
  readonly priority: number;
}

export interface PluginSystemOptions {
  /** Receives errors of `afterCommit` hooks, which cannot fail the write any more. Default: `console.warn`. */
  onError?: (error: PluginError) => void;
  /** Default: the registry `@plugin` registers into. */
  registry?: PluginRegistry;
  /**
   * Plugins for this ORM: `@plugin` classes, instances (built with your services) or factories (called once,
   * at start-up). An instance here is this ORM's own; classes not yet in the registry are registered.
   */
  plugins?: readonly PluginProvider[];
  /** Plugins every entity gets. An entity opts out with `{ name: false }`. */
  global?: PluginList;
  /** Plugin lists by entity name, for entities that have no class to decorate. */
  entities?: Readonly<Record<string, PluginList>>;
  /** Most rows `nativeUpdate`/`nativeDelete` with `{ perRow: true }` may load, unless the call says. Default 1000. */
  rowLimit?: number;
}

/**
 * Operations issue (src/operations/state): stored plugin state the chains honour. Read whenever the
 * chains are (re)built; its provider calls `runtime.invalidate()` after every change.
 */
export interface ChainStateOverrides {
  /** Whether a plugin's hooks and query filter run for an entity (stored status `active`). */
  isActive(plugin: string, entity: string): boolean;
  /** A priority that replaces every hook priority of the plugin on that entity, or undefined to keep the code's. */
  priority(plugin: string, entity: string): number | undefined;
}

/** The plugins of one ORM: what each entity has attached, and its compiled chains. */
export class PluginRuntime {
  readonly registry: PluginRegistry;
  /** Each runtime keeps its chains in its own slot on the entity metadata: one property load per dispatch. */
  readonly slot = Symbol('mikro-orm-plugins:chains');
  readonly #options: PluginSystemOptions;
  /** By entity name, as MikroORM names it once discovery is done. */
  readonly #attached = new Map<string, AttachedPlugin[]>();
  /** During discovery, by metadata: an entity's name may still change (`setClass`, `EntitySchema` with `class`). */
  readonly #discovered = new Map<EntityMetadata, AttachedPlugin[]>();
  readonly #instances = new Map<PluginDefinition, Plugin>();
  readonly #traits = new EntityTraitTable();
  /** Instances given in `pluginSystem({ plugins })`, by plugin name. */
  readonly #provided: ReadonlyMap<string, object>;
  readonly #usage: PluginUsage;
  #metadata: MetadataStorage | undefined;
  #builtAt = -1;
  #readHooks = false;
  #overrides: ChainStateOverrides | undefined;

  constructor(options: PluginSystemOptions, registry: PluginRegistry) {
    this.#options = options;
    this.registry = registry;
    const { names, instances } = providedPlugins(options.plugins, registry);
    this.#provided = instances;
    this.#usage = new PluginUsage(registry);
    for (const name of names) this.#usage.use(registry.definition(name)!);
  }

  /**
   * Discovery, before MikroORM fills defaults: resolve the entity's plugins, check options, let plugins add
   * columns. Synchronous until a plugin's schema or `setupEntity` is not; under `new MikroORM()` (`sync`)
   * that is a typed error, since MikroORM could not wait for it.
   */
  setupEntity(meta: EntityMetadata, platform: Platform, sync = false): void | Promise<void> {
    // An abstract table-per-type root has a table (and change sets) of its own, so it gets its plugins.
    if (meta.embeddable || meta.virtual || (meta.abstract && (meta.inheritanceType ?? meta.inheritance) !== 'tpt')) return;
    const entity = meta.className;
    const settings = [...this.pluginSettingsOf(meta)].filter(([, setting]) => setting !== false);
    const attached: AttachedPlugin[] = [];
    const finish = () => {
      if (attached.length > 0) this.#discovered.set(meta, attached);
      else this.#discovered.delete(meta);
    };
    const from = (index: number): void | Promise<void> => {
      for (let i = index; i < settings.length; i++) {
        const [name, setting] = settings[i]!;
        const definition = this.#definition(name, entity);
        const options = resolvePluginOptions(definition, setting, entity);
        if (isPromiseLike(options)) {
          if (sync) throw asyncUnderSyncDiscovery(entity, name, 'its option schema', options);
          return Promise.resolve(options).then(resolved => this.#setupOne(meta, platform, definition, resolved, attached, sync)).then(() => from(i + 1));
        }
        const pending = this.#setupOne(meta, platform, definition, options, attached, sync);
        if (pending) return pending.then(() => from(i + 1));
      }
      finish();
    };
    return from(0);
  }

  /** One plugin's `setupEntity` and query filter for an entity; a promise only when the plugin's `setupEntity` returns one. */
  #setupOne(meta: EntityMetadata, platform: Platform, definition: PluginDefinition, options: unknown, attached: AttachedPlugin[], sync: boolean): void | Promise<void> {
    const name = definition.name;
    const instance = this.#instance(definition);
    const attach = () => {
      if (definition.hooks.some(h => h.event === 'queryFilter')) meta.filters[name] = queryFilterFor(this, name, meta);
      attached.push({ definition, instance, options, hooks: definition.hooks, rank: 0 });
    };
    const provide = (trait: string, value: unknown) => this.#traits.provide(meta, name, trait, value);
    const pending = instance.setupEntity?.(meta, { plugin: name, options, platform, provide });
    if (!isPromiseLike(pending)) return attach();
    if (sync) throw asyncUnderSyncDiscovery(meta.className, name, 'its setupEntity()', pending);
    return Promise.resolve(pending).then(attach);
  }

  /** Whether discovery attached a plugin to any entity. */
  hasAttachments(): boolean {
    return this.#attached.size > 0 || this.#discovered.size > 0;
  }

  /** After discovery: every entity's metadata is final, so the chains can be compiled. */
  afterDiscovered(storage: MetadataStorage): void {
    checkEntityNames(this.#options.entities, [...storage.getAll().values()].map(meta => meta.className));
    this.#metadata = storage;
    this.#attached.clear();
    // MikroORM may finish an entity on another metadata object than the one set up (pivot entities): match by class too.
    const byClass = new Map([...this.#discovered].map(([meta, attached]) => [meta.class, attached]));
    for (const meta of storage.getAll().values()) {
      const attached = this.#discovered.get(meta) ?? byClass.get(meta.class);
      if (attached) this.#attached.set(meta.className, attached);
    }
    this.#discovered.clear();
    this.#traits.afterDiscovered(storage);
    // Check every attached plugin's order constraints now, disabled ones too, so enabling one later cannot fail.
    const ranked = this.#ranked();
    for (const [entity, attached] of this.#attached) buildEntityChains(entity, attached.map(ranked), name => this.registry.has(name));
    this.rebuild();
  }

  /** Recompiles every chain from the registry's current state (enable/disable, new registrations). */
  rebuild(): void {
    const storage = this.#metadata;
    if (!storage) return;
    this.#builtAt = this.registry.version;
    const ranked = this.#ranked();
    const isRegistered = (name: string) => this.registry.has(name);
    const reaching = this.#reachingPlugins();
    let readHooks = false;
    for (const meta of storage.getAll().values()) {
      const entity = meta.className;
      const own = this.#attached.get(entity) ?? [];
      const enabled = [...own.map(p => scopedTo(p, meta, true, this.#optionsOf(p))), ...this.#reaching(reaching, own, meta)]
        .filter(p => p.hooks.length > 0 && this.#runs(p.definition.name, entity))
        .map(p => this.#withStoredPriority(ranked(p), entity));
      const value = enabled.length > 0 ? buildEntityChains(meta.className, enabled, isRegistered) : undefined;
      readHooks ||= value !== undefined && hasReadChains(value);
      // Not `meta[this.slot] = value`: from the 6th entity on, V8 turns every EntityMetadata into a slow dictionary object on that keyed store.
      Object.defineProperty(meta, this.slot, { value, writable: true, enumerable: true, configurable: true });
    }
    this.#readHooks = readHooks;
  }

  /** Whether any entity has a read chain: when not, reads go straight to MikroORM. */
  get readHooks(): boolean {
    if (this.#builtAt !== this.registry.version) this.rebuild();
    return this.#readHooks;
  }

  /** One of each attached plugin that has hooks with a wider `appliesTo`. */
  #reachingPlugins(): AttachedPlugin[] {
    const found = new Map<PluginDefinition, AttachedPlugin>();
    for (const list of this.#attached.values()) {
      for (const p of list) if (!found.has(p.definition) && p.definition.hooks.some(h => h.appliesTo !== 'attached')) found.set(p.definition, p);
    }
    return [...found.values()];
  }

  /** The reaching plugins not attached to this entity, with their hooks that apply to it and no options. */
  #reaching(reaching: readonly AttachedPlugin[], own: readonly AttachedPlugin[], meta: EntityMetadata): AttachedPlugin[] {
    return reaching.filter(p => !own.some(o => o.definition === p.definition)).map(p => scopedTo({ ...p, options: undefined }, meta, false, this.#optionsOf(p)));
  }

  /** A plugin's options by entity, for `appliesTo` predicates. */
  #optionsOf(plugin: AttachedPlugin): (meta: EntityMetadata) => unknown {
    return meta => this.optionsFor(meta.className, plugin.definition.name);
  }

  /** The chains of an entity; recompiled first if the registry changed since the last build. */
  chainsOf(meta: EntityMetadata | undefined): EntityChains | undefined {
    if (this.#builtAt !== this.registry.version) this.rebuild();
    return meta && (meta as unknown as Record<symbol, EntityChains | undefined>)[this.slot];
  }

  /**
   * Whether a plugin's hooks and filters should act now: enabled in the registry, not switched off for this call,
   * and (given an entity) active in the stored state (operations issue).
   */
  isActive(plugin: string, entity?: string): boolean {
    return (
      this.registry.isEnabled(plugin) &&
      (entity === undefined || this.#overrides?.isActive(plugin, entity) !== false) &&
      !switchedOffPlugins()?.has(plugin)
    );
  }

  // --- Operations issue (src/operations): additive hooks for stored state, inspection and lifecycle. ---

  /**
   * An entity's plugin settings as named (global list, class lists, `entities` option, merged), before any
   * option is checked: what `doctor` validates to report every invalid option, not only the first.
   */
  pluginSettingsOf(meta: EntityMetadata): ReadonlyMap<string, unknown> {
    if (takesNoPlugins(meta.class)) return new Map();
    const lists = [this.#options.global ?? [], ...declaredPluginLists(meta.class), this.#options.entities?.[meta.className] ?? []];
    return mergePluginLists(lists, meta.className);
  }

  /** Installs (or removes) the stored-state overrides; chains are rebuilt on the next operation. */
  setStateOverrides(overrides: ChainStateOverrides | undefined): void {
    this.#overrides = overrides;
    this.invalidate();
  }

  /** Recompile every chain on the next operation (the stored state changed). */
  invalidate(): void {
    this.#builtAt = -1;
  }

  /** Each entity's attached plugins with their validated options, in declaration order (enabled or not). */
  attachments(): ReadonlyMap<string, readonly { readonly plugin: string; readonly options: unknown }[]> {
    return new Map([...this.#attached].map(([entity, list]) => [entity, list.map(p => ({ plugin: p.definition.name, options: p.options }))]));
  }

  /** The instance of a registered plugin (created on first use; the one the chains call), or undefined. */
  instanceOf(plugin: string): Plugin | undefined {
    const definition = this.registry.definition(plugin);
    return definition && this.#instance(definition);
  }

  /** Enabled in the registry and active in the stored state. */
  #runs(plugin: string, entity: string): boolean {
    return this.registry.isEnabled(plugin) && this.#overrides?.isActive(plugin, entity) !== false;
  }

  /** A stored priority replaces the priority of each of the plugin's hooks on that entity. */
  #withStoredPriority(plugin: AttachedPlugin, entity: string): AttachedPlugin {
    const priority = this.#overrides?.priority(plugin.definition.name, entity);
    if (priority === undefined) return plugin;
    return { ...plugin, hooks: plugin.hooks.map(h => ({ ...h, priority })) };
  }

  /** The `rowLimit` option, or undefined. */
  get rowLimit(): number | undefined {
    return this.#options.rowLimit;
  }

  /** Entity classes with at least one plugin attached: the dispatcher subscribes to these only. */
  attachedEntities(): EntityName<any>[] {
    const storage = this.#metadata;
    return storage ? [...storage.getAll().values()].filter(meta => this.#attached.has(meta.className)).map(meta => meta.class) : [];
  }

  /** What a plugin stated about an entity in `setupEntity`, or undefined. */
  traitOf(entity: string, trait: string): unknown {
    return this.#traits.get(entity, trait);
  }

  /** The options a plugin has for an entity, or undefined when it is not attached. */
  optionsFor(entity: string, plugin: string): unknown {
    return this.#attached.get(entity)?.find(p => p.definition.name === plugin)?.options;
  }

  /** The ordered chain for an entity and event, for inspection; `queryFilter` lists each plugin's filter in turn. */
  describe(meta: EntityMetadata, event: string): HookSummary[] {
    const chains = this.chainsOf(meta);
    if (!chains) return [];
    const kind = eventKind(event);
    const found =
      event === 'queryFilter' ? [...chains.queryFilters.values()] : [BUILT_IN_CHAINS.has(event) ? chains[event as BuiltInChainName] : chains.custom.get(event)];
    return found.flatMap(chain => (chain?.links ?? []).map(l => ({ plugin: l.plugin, method: l.method, event: l.declaredOn, kind, priority: l.priority })));
  }

  /** Whether any entity has a plugin with a hook on this event (enabled or not). */
  hooksEvent(event: string): boolean {
    for (const attached of this.#attached.values()) {
      if (attached.some(p => p.definition.hooks.some(h => h.event === event))) return true;
    }
    return false;
  }

  /** Gives each attached plugin its current registration rank: the last tie-breaker of a chain. */
  #ranked(): (plugin: AttachedPlugin) => AttachedPlugin {
    const order = this.registry.names();
    return plugin => ({ ...plugin, rank: order.indexOf(plugin.definition.name) });
  }

  #definition(name: string, entity: string): PluginDefinition {
    const definition = this.registry.definition(name);
    if (!definition) {
      throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `Entity '${entity}' names plugin '${name}', which is not registered`, { entity, plugin: name });
    }
    this.#usage.use(definition, entity);
    return definition;
  }

  #instance(definition: PluginDefinition): Plugin {
    let instance = this.#instances.get(definition);
    if (!instance) {
      instance = (this.#provided.get(definition.name) ?? this.registry.instance(definition.name) ?? this.#construct(definition)) as Plugin;
      this.#instances.set(definition, instance);
    }
    return instance;
  }

  /** A plugin nobody gave an instance of: built here, unless its constructor wants services. */
  #construct(definition: PluginDefinition): Plugin {
    if (definition.pluginClass.length > 0) {
      throw new PluginConfigError(
        'MOP_INSTANCE_REQUIRED',
        `Plugin '${definition.name}': the constructor of ${definition.pluginClass.name} takes arguments; give an instance or a factory in pluginSystem({ plugins })`,
        { plugin: definition.name },
      );
    }
    return new definition.pluginClass();
  }
}

/** The plugin with the hooks that run for this entity: its `appliesTo` decides, attached or not. */
function scopedTo(plugin: AttachedPlugin, meta: EntityMetadata, attached: boolean, optionsOf: (meta: EntityMetadata) => unknown): AttachedPlugin {
  const hooks = plugin.definition.hooks.filter(h => applies(h, meta, attached, optionsOf));
  return hooks.length === plugin.hooks.length ? plugin : { ...plugin, hooks };
}

function applies(hook: HookDefinition, meta: EntityMetadata, attached: boolean, optionsOf: (meta: EntityMetadata) => unknown): boolean {
  const { appliesTo } = hook;
  if (appliesTo === 'attached') return attached;
  if (appliesTo === 'all') return true;
  return appliesTo(meta, optionsOf) === true;
}

const READ_CHAINS = ['readOptions', 'interceptFindOne', 'afterJoinsPlanned', 'joinedFilters'] as const;

function hasReadChains(chains: EntityChains): boolean {
  return READ_CHAINS.some(event => chains[event] !== null);
}
