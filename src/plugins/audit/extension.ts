import type { Configuration, MetadataStorage } from '@mikro-orm/core';
import { PluginOptionsError, noPlugins, type PluginExtension } from '../../core.js';
import { reportStartupIssue, type PluginType } from '../../operations/index.js';
import { defineAuditLog } from './audit-log-entity.js';
import { FlushTracker } from './flush-tracker.js';
import { FIELD_OPTIONS } from './options.js';
import { setAuditSettings, type AuditSettings } from './settings.js';
import { AuditSinkType } from './sink-type.js';
import type { AuditSink } from './types.js';

export interface AuditLogOptions {
  /** The audit table's name, or `false` to keep no table (then sinks are the only output). Default `audit_log`. */
  table?: string | false;
  /**
   * Sinks that always run after each commit, once per audit record, in this order, before the chosen
   * registered one. The table is written regardless (inside the transaction).
   */
  sinks?: readonly AuditSink[];
  /**
   * The plugin type whose chosen implementation (`getImplementation(type, orm)`, from this ORM's
   * `plugin_state`) gets each record after the `sinks`. Default `AuditSinkType`; `false`: only `sinks`.
   */
  sinkType?: PluginType<AuditSink> | false;
}

/**
 * The audit plugin's half at the ORM level, next to `pluginSystem()` in `extensions`: adds the
 * `AuditLog` entity (so the schema generator and migrations create its table) and holds the sinks:
 * the `sinks` given here always run; then the `AuditSinkType` implementation chosen for this ORM, if any.
 * Entities then opt in with `'audit'` in their plugin list.
 */
export function auditLog(options: AuditLogOptions = {}): PluginExtension {
  return {
    name: 'mikro-orm-plugins:audit',
    register(orm) {
      const config = orm.config;
      const table = options.table === false ? undefined : defineAuditLog(options.table ?? 'audit_log');
      const sinkType = options.sinkType === false ? undefined : (options.sinkType ?? AuditSinkType);
      const settings: AuditSettings = { table, sinks: [...(options.sinks ?? [])], sinkType, audited: new Map() };
      setAuditSettings(config, settings);
      if (table) {
        noPlugins(table);
        config.set('entities', [...config.get('entities'), table]);
      }
      config.set('subscribers', [...config.get('subscribers'), new FlushTracker()]);
      const discovery = config.get('discovery');
      const { afterDiscovered } = discovery;
      discovery.afterDiscovered = async (storage, platform) => {
        await afterDiscovered?.(storage, platform);
        checkPropertyNames(settings, storage, config);
      };
    },
  };
}


/**
 * A misspelt `redact` would leak what it meant to hide: every named property must exist. The first
 * miss fails start-up; `doctor` collects every one.
 */
function checkPropertyNames(settings: AuditSettings, storage: MetadataStorage, config: Configuration): void {
  for (const [entity, options] of settings.audited) {
    const meta = storage.getByClassName(entity, false);
    if (!meta) continue;
    for (const option of FIELD_OPTIONS) {
      const missing = options[option]?.filter(field => !meta.properties[field as never]) ?? [];
      if (missing.length > 0) {
        const received = missing.length === 1 ? missing[0] : missing;
        reportStartupIssue(config, new PluginOptionsError({ plugin: 'audit', entity, option, expected: `properties of ${entity}`, received }));
      }
    }
  }
}
