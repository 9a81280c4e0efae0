import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import { defaultRegistry } from '../registry/plugin-registry.js';
import { operationsOf } from './extension.js';
import { recordBuiltInPlugins } from './inspect.js';
import { GLOBAL, type PluginStatus } from './state/entities.js';
import type { PluginStateRecord, PluginStateStore, SyncOptions, SyncReport } from './state/store.js';

export { OPERATIONS_ERRORS } from './errors.js';
export { pluginOperations, operationsOf, type PluginOperationsOptions, type PluginStateOptions } from './extension.js';
export { GLOBAL as ALL_ENTITIES, PLUGIN_STATE_ENTITY, PLUGIN_STATE_VERSION_ENTITY, type PluginStatus } from './state/entities.js';
export type { PluginStateRecord, SyncMode, SyncOptions, SyncReport } from './state/store.js';
export { MASK, toJsonSchema, maskOptions, type JsonSchema } from './option-schema.js';
export { explainChains, formatExplainText, formatExplainMermaid, type ExplainedChain, type ExplainedHook, type ExplainOptions, type OrderRule } from './explain.js';
export {
  listPlugins,
  optionsJsonSchema,
  doctor,
  type PluginInventory,
  type PluginListing,
  type EntityUse,
  type TypeListing,
  type ImplementationListing,
  type DoctorReport,
  type DoctorFinding,
  type DoctorOptions,
  type FindingCheck,
  type FindingLevel,
} from './inspect.js';
export { doctorConfig } from './doctor-config.js';
export { reportStartupIssue } from './startup-inspection.js';
export {
  PluginType,
  definePluginType,
  getImplementation,
  findImplementation,
  pluginTypes,
  defaultSelector,
  type ImplementationInfo,
  type ImplementationOptions,
  type ImplementationSelector,
  type PluginTypeOptions,
} from './plugin-types.js';
export {
  loadPluginConfig,
  definePluginConfig,
  type PluginConfigFile,
  type LoadPluginConfigOptions,
  type LoadedPluginConfig,
  type LoadedPlugin,
} from './config-file.js';

// The package index evaluates the built-in plugins before this module: what the default registry holds now is built in.
recordBuiltInPlugins(defaultRegistry);

export interface StateTarget {
  /** One entity (class name); default every entity (`*`). */
  entity?: string;
}

function storeOf(ormOrEm: MikroORM | EntityManager): PluginStateStore {
  const store = operationsOf(ormOrEm).store;
  if (!store) throw new PluginError('MOP_STATE_UNAVAILABLE', 'pluginOperations() was installed with `state: false`: there is no plugin state');
  return store;
}

/**
 * Brings `plugin_state` in line with the code: `create` (default) inserts missing rows and never
 * overwrites what operators changed; `update` also refreshes priority, description and options from
 * code; `prune` removes rows of plugins that no longer exist. Idempotent.
 */
export function syncPluginState(orm: MikroORM | EntityManager, options: SyncOptions = {}): Promise<SyncReport> {
  return storeOf(orm).sync(options);
}

/** Sets a plugin's (or a plugin-type implementation's, `Type:name`) status. This instance honours it from its next operation; others within their poll interval. */
export function setPluginStatus(orm: MikroORM | EntityManager, plugin: string, status: PluginStatus, target: StateTarget = {}): Promise<PluginStateRecord> {
  return storeOf(orm).setStatus(plugin, status, target.entity ?? GLOBAL);
}

export function enablePlugin(orm: MikroORM | EntityManager, plugin: string, target: StateTarget = {}): Promise<PluginStateRecord> {
  return setPluginStatus(orm, plugin, 'active', target);
}

export function disablePlugin(orm: MikroORM | EntityManager, plugin: string, target: StateTarget = {}): Promise<PluginStateRecord> {
  return setPluginStatus(orm, plugin, 'disabled', target);
}

/** Sets the priority that replaces each of the plugin's hook priorities (on one entity, or all); `null` returns to the code's. */
export function setPluginPriority(orm: MikroORM | EntityManager, plugin: string, priority: number | null, target: StateTarget = {}): Promise<PluginStateRecord> {
  return storeOf(orm).setPriority(plugin, priority, target.entity ?? GLOBAL);
}

/** The stored rows, as this instance last read them. */
export function readPluginState(orm: MikroORM | EntityManager): PluginStateRecord[] {
  return storeOf(orm).rows();
}

/** Checks the version counter now and re-reads the rows if another instance changed them (or always, with `force`). Returns whether it re-read. */
export function refreshPluginState(orm: MikroORM | EntityManager, options: { force?: boolean } = {}): Promise<boolean> {
  return storeOf(orm).refresh(options.force === true);
}

/** The `PluginState` and `PluginStateVersion` entities of this ORM, for queries of your own. */
export function pluginStateEntities(orm: MikroORM | EntityManager) {
  return storeOf(orm).entities;
}
