import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const PLUGIN_STATE_ENTITY = 'PluginState';
export const PLUGIN_STATE_VERSION_ENTITY = 'PluginStateVersion';

/** `entity` of a row that holds a plugin's state for every entity (and of plugin-type implementations). */
export const GLOBAL = '*';

export type PluginStatus = 'active' | 'reserve' | 'disabled';
export const STATUSES: readonly PluginStatus[] = ['active', 'reserve', 'disabled'];

/**
 * The plugin state tables. One schema per ORM (the table name is per ORM), like the audit table.
 * `plugin_state` has one row per (plugin, entity), `*` for the plugin as a whole;
 * `plugin_state_version` has one row whose counter every change increments, so other instances
 * notice a change by reading one number.
 */
export function definePluginStateEntities(tableName = 'plugin_state') {
  const PluginState = defineEntity({
    name: PLUGIN_STATE_ENTITY,
    tableName,
    properties: {
      id: p.integer().primary().autoincrement(),
      plugin: p.string().length(191),
      entity: p.string().length(191),
      status: p.string().length(16),
      /** Replaces the priority of each of the plugin's hooks on the entity; null keeps the code's. */
      priority: p.integer().nullable(),
      description: p.text().nullable(),
      /** The plugin's options for the entity, secret options left out. */
      options: p.json<Record<string, unknown>>().nullable(),
      updatedAt: p.datetime(3),
    },
    uniques: [{ properties: ['plugin', 'entity'] }],
  });
  const PluginStateVersion = defineEntity({
    name: PLUGIN_STATE_VERSION_ENTITY,
    tableName: `${tableName}_version`,
    properties: {
      id: p.integer().primary(),
      version: p.integer(),
    },
  });
  return { PluginState, PluginStateVersion };
}

export type PluginStateEntities = ReturnType<typeof definePluginStateEntities>;
export type PluginStateRow = InferEntity<PluginStateEntities['PluginState']>;
