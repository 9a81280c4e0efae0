import type { EntityMetadata, MetadataStorage, Platform } from '@mikro-orm/core';
import type { AttachedPlugin } from '../chain/build-chains.js';
import { eachSyncUntilAsync } from '../chain/each-sync-until-async.js';
import { declaredPluginLists } from '../config/entity-plugins.js';
import { takesNoPlugins } from '../config/no-plugins.js';
import { mergePluginLists } from '../config/plugin-settings.js';
import { PluginConfigError } from '../errors.js';
import type { PluginList } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import type { PluginUsage } from '../registry/plugin-dependencies.js';
import { resolvePluginOptions } from '../registry/plugin-options.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';
import type { EntityTraitTable } from './entity-traits.js';
import type { PluginInstances } from './plugin-instances.js';
import { queryFilterFor, type FilterChains } from './query-filter.js';
import { asyncUnderSyncDiscovery, isPromiseLike } from './sync-discovery.js';

/** Where an entity's plugins come from, besides its own class. */
export interface PluginLists {
  readonly global?: PluginList | undefined;
  readonly entities?: Readonly<Record<string, PluginList>> | undefined;
}

export interface EntitySetupParts {
  readonly lists: PluginLists;
  readonly registry: PluginRegistry;
  readonly usage: PluginUsage;
  readonly instances: PluginInstances;
  readonly traits: EntityTraitTable;
  /** What the plugins' query filters read their chains from. */
  readonly chains: FilterChains;
}

/** Discovery: which plugins each entity gets, with checked options, columns and query filters. */
export class EntitySetup {
  readonly #parts: EntitySetupParts;
  /** By metadata: an entity's name may still change during discovery (`setClass`, `EntitySchema` with `class`). */
  readonly #discovered = new Map<EntityMetadata, AttachedPlugin[]>();

  constructor(parts: EntitySetupParts) {
    this.#parts = parts;
  }

  /**
   * An entity's plugin settings as named (global list, class lists, `entities` option, merged), before any
   * option is checked: what `doctor` validates to report every invalid option, not only the first.
   */
  settingsOf(meta: EntityMetadata): ReadonlyMap<string, unknown> {
    if (takesNoPlugins(meta.class)) return new Map();
    const { global, entities } = this.#parts.lists;
    return mergePluginLists([global ?? [], ...declaredPluginLists(meta.class), entities?.[meta.className] ?? []], meta.className);
  }

  /**
   * Before MikroORM fills defaults: resolve the entity's plugins, check options, let plugins add columns.
   * Synchronous until a plugin's schema or `setupEntity` is not; under `new MikroORM()` (`sync`) that is
   * a typed error, since MikroORM could not wait for it.
   */
  setup(meta: EntityMetadata, platform: Platform, sync: boolean): void | Promise<void> {
    // An abstract table-per-type root has a table (and change sets) of its own, so it gets its plugins.
    if (meta.embeddable || meta.virtual || (meta.abstract && (meta.inheritanceType ?? meta.inheritance) !== 'tpt')) return;
    const entity = meta.className;
    const settings = [...this.settingsOf(meta)].filter(([, setting]) => setting !== false);
    const attached: AttachedPlugin[] = [];
    const pending = eachSyncUntilAsync(settings, ([name, setting]) => {
      const definition = this.#definition(name, entity);
      const options = resolvePluginOptions(definition, setting, entity);
      if (isPromiseLike(options)) {
        if (sync) throw asyncUnderSyncDiscovery(entity, name, 'its option schema', options);
        return Promise.resolve(options).then(resolved => this.#setupOne(meta, platform, definition, resolved, attached, sync));
      }
      return this.#setupOne(meta, platform, definition, options, attached, sync);
    });
    const done = () => {
      if (attached.length > 0) this.#discovered.set(meta, attached);
      else this.#discovered.delete(meta);
    };
    return pending === undefined ? done() : pending.then(done);
  }

  /** Whether discovery attached a plugin to any entity so far. */
  get pending(): boolean {
    return this.#discovered.size > 0;
  }

  /** After discovery: each entity's attached plugins, by the name MikroORM settled on. */
  finish(storage: MetadataStorage): Map<string, AttachedPlugin[]> {
    // MikroORM may finish an entity on another metadata object than the one set up (pivot entities): match by class too.
    const byClass = new Map([...this.#discovered].map(([meta, attached]) => [meta.class, attached]));
    const attachedByName = new Map<string, AttachedPlugin[]>();
    for (const meta of storage.getAll().values()) {
      const attached = this.#discovered.get(meta) ?? byClass.get(meta.class);
      if (attached) attachedByName.set(meta.className, attached);
    }
    this.#discovered.clear();
    return attachedByName;
  }

  /** One plugin's `setupEntity` and query filter for an entity; a promise only when the plugin's `setupEntity` returns one. */
  #setupOne(meta: EntityMetadata, platform: Platform, definition: PluginDefinition, options: unknown, attached: AttachedPlugin[], sync: boolean): void | Promise<void> {
    const name = definition.name;
    const instance = this.#parts.instances.of(definition);
    const attach = () => {
      if (definition.hooks.some(h => h.event === 'queryFilter')) meta.filters[name] = queryFilterFor(this.#parts.chains, name, meta);
      attached.push({ definition, instance, options, hooks: definition.hooks, rank: 0 });
    };
    const provide = (trait: string, value: unknown) => this.#parts.traits.provide(meta, name, trait, value);
    const pending = instance.setupEntity?.(meta, { plugin: name, options, platform, provide });
    if (!isPromiseLike(pending)) return attach();
    if (sync) throw asyncUnderSyncDiscovery(meta.className, name, 'its setupEntity()', pending);
    return Promise.resolve(pending).then(attach);
  }

  #definition(name: string, entity: string): PluginDefinition {
    const definition = this.#parts.registry.definition(name);
    if (!definition) {
      throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `Entity '${entity}' names plugin '${name}', which is not registered`, { entity, plugin: name });
    }
    this.#parts.usage.use(definition, entity);
    return definition;
  }
}
