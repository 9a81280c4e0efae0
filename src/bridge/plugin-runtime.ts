import type { EntityMetadata, EntityName, MetadataStorage, Platform } from '@mikro-orm/core';
import { BUILT_IN_CHAINS, type AttachedPlugin, type BuiltInChainName, type EntityChains } from '../chain/build-chains.js';
import { checkEntityNames } from '../config/entity-names.js';
import type { PluginError } from '../errors.js';
import { COMPOSITE_EVENTS, type DispatchedEvent, type HookKind } from '../events.js';
import type { Plugin, PluginList, PluginProvider } from '../plugin-api.js';
import { PluginUsage } from '../registry/plugin-dependencies.js';
import { providedPlugins } from '../registry/plugin-providers.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';
import { EntitySetup } from './entity-setup.js';
import { EntityTraitTable } from './entity-traits.js';
import { PluginInstances } from './plugin-instances.js';
import { checkChains, compileChains, type ChainStateOverrides } from './runtime-chains.js';
import { switchedOffPlugins } from './scope.js';

export type { ChainStateOverrides } from './runtime-chains.js';

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
 * The plugins of one ORM: what each entity has attached, and its compiled chains. Discovery is
 * `EntitySetup`'s, compiling `runtime-chains`'; this keeps the state and answers questions about it.
 */
export class PluginRuntime {
  readonly registry: PluginRegistry;
  /** Each runtime keeps its chains in its own slot on the entity metadata: one property load per dispatch. */
  readonly slot = Symbol('mikro-orm-plugins:chains');
  readonly #options: PluginSystemOptions;
  readonly #instances: PluginInstances;
  readonly #traits = new EntityTraitTable();
  readonly #setup: EntitySetup;
  /** By entity name, as MikroORM names it once discovery is done. */
  #attached: ReadonlyMap<string, readonly AttachedPlugin[]> = new Map();
  #metadata: MetadataStorage | undefined;
  #builtAt = -1;
  #readHooks = false;
  #overrides: ChainStateOverrides | undefined;
  /** The code's options of each (entity, plugin) a live edit replaced, to go back to. */
  readonly #codeOptions = new Map<string, unknown>();

  constructor(options: PluginSystemOptions, registry: PluginRegistry) {
    this.#options = options;
    this.registry = registry;
    const { names, instances } = providedPlugins(options.plugins, registry);
    this.#instances = new PluginInstances(registry, instances);
    const usage = new PluginUsage(registry);
    for (const name of names) usage.use(registry.definition(name)!);
    this.#setup = new EntitySetup({ lists: options, registry, usage, instances: this.#instances, traits: this.#traits, chains: this });
  }

  /** Discovery, before MikroORM fills defaults (see `EntitySetup.setup`). */
  setupEntity(meta: EntityMetadata, platform: Platform, sync = false): void | Promise<void> {
    return this.#setup.setup(meta, platform, sync);
  }

  /** Whether discovery attached a plugin to any entity. */
  hasAttachments(): boolean {
    return this.#attached.size > 0 || this.#setup.pending;
  }

  /** After discovery: every entity's metadata is final, so the chains can be compiled. */
  afterDiscovered(storage: MetadataStorage): void {
    checkEntityNames(this.#options.entities, [...storage.getAll().values()].map(meta => meta.className));
    this.#metadata = storage;
    this.#attached = this.#setup.finish(storage);
    this.#traits.afterDiscovered(storage);
    checkChains(this.#inputs());
    this.rebuild();
  }

  /** Recompiles every chain from the registry's current state (enable/disable, new registrations). */
  rebuild(): void {
    const storage = this.#metadata;
    if (!storage) return;
    this.#builtAt = this.registry.version;
    this.#readHooks = compileChains(storage, this.slot, this.#inputs());
  }

  /** Whether any entity has a read chain: when not, reads go straight to MikroORM. */
  get readHooks(): boolean {
    if (this.#builtAt !== this.registry.version) this.rebuild();
    return this.#readHooks;
  }

  /** The chains of an entity; recompiled first if the registry changed since the last build. */
  chainsOf(meta: EntityMetadata | undefined): EntityChains | undefined {
    if (this.#builtAt !== this.registry.version) this.rebuild();
    return meta && (meta as unknown as Record<symbol, EntityChains | undefined>)[this.slot];
  }

  /**
   * Whether a plugin's hooks and filters should act now: enabled in the registry, not switched off for this call,
   * and (given an entity) active in the stored state.
   */
  isActive(plugin: string, entity?: string): boolean {
    return (
      this.registry.isEnabled(plugin) &&
      (entity === undefined || this.#overrides?.isActive(plugin, entity) !== false) &&
      !switchedOffPlugins()?.has(plugin)
    );
  }

  /** An entity's plugin settings as named, before any option is checked (what `doctor` validates). */
  pluginSettingsOf(meta: EntityMetadata): ReadonlyMap<string, unknown> {
    return this.#setup.settingsOf(meta);
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
    return definition && this.#instances.of(definition);
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

  /** The metadata of the entities with at least one plugin attached. */
  attachedMetadata(): EntityMetadata[] {
    const storage = this.#metadata;
    return storage ? [...storage.getAll().values()].filter(meta => this.#attached.has(meta.className)) : [];
  }

  /** How an entity's plugins hook a built-in event (enabled or not): `none`, `batch` (every hook takes the batch form) or `per-entity`. */
  hookForm(entity: string, event: DispatchedEvent): 'none' | 'batch' | 'per-entity' {
    let form: 'none' | 'batch' | 'per-entity' = 'none';
    for (const attached of this.#attached.get(entity) ?? []) {
      for (const hook of attached.hooks) {
        if (!(COMPOSITE_EVENTS[hook.event] ?? [hook.event]).includes(event)) continue;
        if (!hook.batch) return 'per-entity';
        form = 'batch';
      }
    }
    return form;
  }

  /** What a plugin stated about an entity in `setupEntity`, or undefined. */
  traitOf(entity: string, trait: string): unknown {
    return this.#traits.get(entity, trait);
  }

  /** The options a plugin has for an entity, or undefined when it is not attached. */
  optionsFor(entity: string, plugin: string): unknown {
    return this.#attached.get(entity)?.find(p => p.definition.name === plugin)?.options;
  }

  /** The options the application's code gave a plugin for an entity, whatever live edit runs now. */
  codeOptionsFor(entity: string, plugin: string): unknown {
    const key = `${entity}\u0000${plugin}`;
    return this.#codeOptions.has(key) ? this.#codeOptions.get(key) : this.optionsFor(entity, plugin);
  }

  /**
   * Runs a plugin on an entity with other (checked) options from its next operation: its chains are
   * rebuilt with them, hooks get them as `ctx.options`. `undefined` goes back to the code's options.
   * Returns whether anything changed.
   */
  setRunningOptions(entity: string, plugin: string, options: unknown): boolean {
    const list = this.#attached.get(entity);
    const index = list?.findIndex(p => p.definition.name === plugin) ?? -1;
    if (!list || index < 0) return false;
    const key = `${entity}\u0000${plugin}`;
    if (!this.#codeOptions.has(key)) this.#codeOptions.set(key, list[index]!.options);
    const next = options === undefined ? this.#codeOptions.get(key) : options;
    if (options === undefined) this.#codeOptions.delete(key);
    if (list[index]!.options === next) return false;
    const attached = new Map(this.#attached);
    attached.set(entity, list.map((p, i) => (i === index ? { ...p, options: next } : p)));
    this.#attached = attached;
    this.invalidate();
    return true;
  }

  /** The ordered chain for an entity and event, for inspection; `queryFilter` lists each plugin's filter in turn. */
  describe(meta: EntityMetadata, event: string): HookSummary[] {
    const chains = this.chainsOf(meta);
    if (!chains) return [];
    const found =
      event === 'queryFilter' ? [...chains.queryFilters.values()] : [BUILT_IN_CHAINS.has(event) ? chains[event as BuiltInChainName] : chains.custom.get(event)];
    return found.flatMap(chain =>
      chain ? chain.links.map(l => ({ plugin: l.plugin, method: l.method, event: l.declaredOn, kind: chain.kind, priority: l.priority })) : [],
    );
  }

  /** Whether any entity has a plugin with a hook on this event (enabled or not). */
  hooksEvent(event: string): boolean {
    for (const attached of this.#attached.values()) {
      if (attached.some(p => p.definition.hooks.some(h => h.event === event))) return true;
    }
    return false;
  }

  #inputs() {
    return { registry: this.registry, attached: this.#attached, overrides: this.#overrides };
  }
}
