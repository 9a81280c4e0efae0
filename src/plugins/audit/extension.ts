import type { MetadataStorage, MikroORM } from '@mikro-orm/core';
import { runtimeOf, type PluginExtension } from '../../bridge/extension.js';
import { PluginOptionsError } from '../../errors.js';
import { defineAuditLog, type AuditLogSchema } from './audit-log-entity.js';
import { FlushTracker } from './flush-tracker.js';
import { FIELD_OPTIONS } from './options.js';
import { setAuditSettings, type AuditSettings } from './settings.js';
import type { AuditSink } from './types.js';

export interface AuditLogOptions {
  /** The audit table's name, or `false` to keep no table (then sinks are the only output). Default `audit_log`. */
  table?: string | false;
  /** Run after each commit, once per audit record, in this order. The table is written regardless (inside the transaction). */
  sinks?: readonly AuditSink[];
}

/**
 * The audit plugin's half at the ORM level, next to `pluginSystem()` in `extensions`: adds the
 * `AuditLog` entity (so the schema generator and migrations create its table) and holds the sinks.
 * Entities then opt in with `'audit'` in their plugin list.
 */
export function auditLog(options: AuditLogOptions = {}): PluginExtension {
  return {
    name: 'mikro-orm-plugins:audit',
    register(orm) {
      const config = orm.config;
      const table = options.table === false ? undefined : defineAuditLog(options.table ?? 'audit_log');
      const settings: AuditSettings = { table, sinks: [...(options.sinks ?? [])], audited: new Map() };
      setAuditSettings(config, settings);
      if (table) {
        keepPluginsOff(table, orm);
        config.set('entities', [...config.get('entities'), table]);
      }
      config.set('subscribers', [...config.get('subscribers'), new FlushTracker()]);
      const discovery = config.get('discovery');
      const { afterDiscovered } = discovery;
      discovery.afterDiscovered = async (storage, platform) => {
        await afterDiscovered?.(storage, platform);
        checkPropertyNames(settings, storage);
      };
    },
  };
}

/**
 * The audit table takes no plugins, global ones included: a global `timestamp` would add NOT NULL
 * columns its direct inserts never fill. Read when the plugin system sets the entity up.
 */
function keepPluginsOff(table: AuditLogSchema, orm: MikroORM): void {
  Object.defineProperty(table.meta.class, 'plugins', {
    get: () => Object.fromEntries(runtimeOf(orm).registry.names().map(name => [name, false])),
  });
}

/** A misspelt `redact` would leak what it meant to hide: every named property must exist. */
function checkPropertyNames(settings: AuditSettings, storage: MetadataStorage): void {
  for (const [entity, options] of settings.audited) {
    const meta = storage.getByClassName(entity, false);
    if (!meta) continue;
    for (const option of FIELD_OPTIONS) {
      const missing = options[option]?.find(field => !meta.properties[field as never]);
      if (missing !== undefined) {
        throw new PluginOptionsError({ plugin: 'audit', entity, option, expected: `properties of ${entity}`, received: missing });
      }
    }
  }
}
