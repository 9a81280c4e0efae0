import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import { buildEntityChains, type AttachedPlugin, type ChainScope, type EntityChains } from '../chain/build-chains.js';
import { eventKind, isBuiltInEvent } from '../events.js';
import type { HookDefinition } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';

/** Stored plugin state the chains honour (src/operations/state); read whenever the chains are (re)built. */
export interface ChainStateOverrides {
  /** Whether a plugin's hooks and query filter run for an entity (stored status `active`). */
  isActive(plugin: string, entity: string): boolean;
  /** A priority that replaces every hook priority of the plugin on that entity, or undefined to keep the code's. */
  priority(plugin: string, entity: string): number | undefined;
}

/** What compiling an ORM's chains reads. */
export interface ChainInputs {
  readonly registry: PluginRegistry;
  /** Each entity's attached plugins, by entity name. */
  readonly attached: ReadonlyMap<string, readonly AttachedPlugin[]>;
  readonly overrides: ChainStateOverrides | undefined;
}

/** Kinds and registrations as the registry has them now. */
export function chainScope(registry: PluginRegistry): ChainScope {
  const declared = registry.declaredEvents();
  return {
    isRegistered: name => registry.has(name),
    kindOf: event => (isBuiltInEvent(event) ? eventKind(event) : (declared.get(event)?.kind ?? 'sequential')),
  };
}

/** Builds every attached plugin's chains, disabled ones too, so that enabling one later cannot fail on its order constraints. */
export function checkChains(inputs: ChainInputs): void {
  const ranked = rankedBy(inputs.registry);
  const scope = chainScope(inputs.registry);
  for (const [entity, attached] of inputs.attached) buildEntityChains(entity, attached.map(ranked), scope);
}

/**
 * Compiles every entity's chains into its metadata, under `slot`: the enabled plugins attached to it,
 * and the hooks of other plugins whose `appliesTo` reaches it. Returns whether any entity has a read chain.
 */
export function compileChains(storage: MetadataStorage, slot: symbol, inputs: ChainInputs): boolean {
  const { registry, attached, overrides } = inputs;
  const ranked = rankedBy(registry);
  const scope = chainScope(registry);
  const reaching = reachingPlugins(attached);
  const optionsOf = (plugin: AttachedPlugin) => (meta: EntityMetadata) => attached.get(meta.className)?.find(p => p.definition === plugin.definition)?.options;
  const runs = (plugin: string, entity: string) => registry.isEnabled(plugin) && overrides?.isActive(plugin, entity) !== false;
  let readHooks = false;
  for (const meta of storage.getAll().values()) {
    const entity = meta.className;
    const own = attached.get(entity) ?? [];
    const others = reaching.filter(p => !own.some(o => o.definition === p.definition)).map(p => scopedTo({ ...p, options: undefined }, meta, false, optionsOf(p)));
    const enabled = [...own.map(p => scopedTo(p, meta, true, optionsOf(p))), ...others]
      .filter(p => p.hooks.length > 0 && runs(p.definition.name, entity))
      .map(p => withStoredPriority(ranked(p), entity, overrides));
    const value = enabled.length > 0 ? buildEntityChains(entity, enabled, scope) : undefined;
    readHooks ||= value !== undefined && hasReadChains(value);
    // Not `meta[slot] = value`: from the 6th entity on, V8 turns every EntityMetadata into a slow dictionary object on that keyed store.
    Object.defineProperty(meta, slot, { value, writable: true, enumerable: true, configurable: true });
  }
  return readHooks;
}

/** One of each attached plugin that has hooks with a wider `appliesTo`. */
function reachingPlugins(attached: ReadonlyMap<string, readonly AttachedPlugin[]>): AttachedPlugin[] {
  const found = new Map<PluginDefinition, AttachedPlugin>();
  for (const list of attached.values()) {
    for (const p of list) if (!found.has(p.definition) && p.definition.hooks.some(h => h.appliesTo !== 'attached')) found.set(p.definition, p);
  }
  return [...found.values()];
}

/** Gives each attached plugin its current registration rank: the last tie-breaker of a chain. */
function rankedBy(registry: PluginRegistry): (plugin: AttachedPlugin) => AttachedPlugin {
  const order = registry.names();
  return plugin => ({ ...plugin, rank: order.indexOf(plugin.definition.name) });
}

/** A stored priority replaces the priority of each of the plugin's hooks on that entity. */
function withStoredPriority(plugin: AttachedPlugin, entity: string, overrides: ChainStateOverrides | undefined): AttachedPlugin {
  const priority = overrides?.priority(plugin.definition.name, entity);
  if (priority === undefined) return plugin;
  return { ...plugin, hooks: plugin.hooks.map(h => ({ ...h, priority })) };
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
