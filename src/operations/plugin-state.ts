import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginError } from '../errors.js';
import { operationsOf } from './extension.js';
import { GLOBAL, type PluginStatus } from './state/entities.js';
import type { PluginStateRecord, SyncOptions, SyncReport } from './state/records.js';
import { progressReporter } from './progress.js';
import type { PluginStateStore } from './state/store.js';

// What an application (or the CLI) does with an ORM's plugin state.

export interface StateTarget {
  /** One entity (class name); default every entity (`*`). */
  entity?: string;
}

function storeOf(ormOrEm: MikroORM | EntityManager): PluginStateStore {
  const { store, inAppConfig } = operationsOf(ormOrEm);
  if (!store && !inAppConfig) {
    throw new PluginError(
      'MOP_STATE_UNAVAILABLE',
      "the app's MikroORM config has no pluginOperations(), so it never reads a stored plugin state: add pluginOperations() to `extensions`, after pluginSystem(), to switch plugins and priorities at run time",
    );
  }
  if (!store) throw new PluginError('MOP_STATE_UNAVAILABLE', 'pluginOperations() was installed with `state: false`: there is no plugin state');
  return store;
}

/**
 * Brings `plugin_state` in line with the code: `create` (default) inserts missing rows and never
 * overwrites what operators changed; `update` also refreshes priority, description and options from
 * code; `prune` removes rows of plugins that no longer exist. Idempotent.
 */
export function syncPluginState(orm: MikroORM | EntityManager, options: SyncOptions = {}): Promise<SyncReport> {
  checkObject('syncPluginState', 'options', options);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw invalidArgument('syncPluginState', 'onProgress', 'a function', options.onProgress);
  return storeOf(orm).sync({ ...options, onProgress: progressReporter(options.onProgress) });
}

/** Sets a plugin's (or a plugin-type implementation's, `Type:name`) status. This instance honours it from its next operation; others within their poll interval. */
export function setPluginStatus(orm: MikroORM | EntityManager, plugin: string, status: PluginStatus, target: StateTarget = {}): Promise<PluginStateRecord> {
  checkTarget('setPluginStatus', plugin, target);
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
  checkTarget('setPluginPriority', plugin, target);
  return storeOf(orm).setPriority(plugin, priority, target.entity ?? GLOBAL);
}

/** The stored rows, as this instance last read them. */
export function readPluginState(orm: MikroORM | EntityManager): PluginStateRecord[] {
  return storeOf(orm).rows();
}

/** Checks the version counter now and re-reads the rows if another instance changed them (or always, with `force`). Returns whether it re-read. */
export function refreshPluginState(orm: MikroORM | EntityManager, options: { force?: boolean } = {}): Promise<boolean> {
  checkObject('refreshPluginState', 'options', options);
  return storeOf(orm).refresh(options.force === true);
}

/** The `PluginState` and `PluginStateVersion` entities of this ORM, for queries of your own. */
export function pluginStateEntities(orm: MikroORM | EntityManager) {
  return storeOf(orm).entities;
}

// Plain JavaScript may pass anything: typed errors before the store is touched.
function checkObject(fn: string, argument: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(fn, argument, 'an object', value);
}

function checkTarget(fn: string, plugin: unknown, target: unknown): void {
  if (typeof plugin !== 'string' || plugin === '') throw invalidArgument(fn, 'plugin', 'a plugin name', plugin);
  checkObject(fn, 'target', target);
  const { entity } = target as StateTarget;
  if (entity !== undefined && (typeof entity !== 'string' || entity === '')) throw invalidArgument(fn, 'target.entity', 'an entity name', entity);
}
