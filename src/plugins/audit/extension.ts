import type { Configuration, MetadataStorage } from '@mikro-orm/core';
import { PluginConfigError, PluginOptionsError, noPlugins, readsNoChangeSets, type PluginExtension } from '../../core.js';
import { reportStartupIssue, type PluginType } from '../../operations/index.js';
import { defineAuditLog } from './audit-log-entity.js';
import { knownPaths } from './field-policy.js';
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
      checkOptions(options);
      const config = orm.config;
      const table = options.table === false ? undefined : defineAuditLog(options.table ?? 'audit_log');
      const sinkType = options.sinkType === false ? undefined : (options.sinkType ?? AuditSinkType);
      const settings: AuditSettings = { table, sinks: [...(options.sinks ?? [])], sinkType, audited: new Map() };
      setAuditSettings(config, settings);
      if (table) {
        noPlugins(table);
        config.set('entities', [...config.get('entities'), table]);
      }
      config.set('subscribers', [...config.get('subscribers'), readsNoChangeSets(new FlushTracker())]);
      const discovery = config.get('discovery');
      const { afterDiscovered } = discovery;
      discovery.afterDiscovered = async (storage, platform) => {
        await afterDiscovered?.(storage, platform);
        checkPropertyNames(settings, storage, config);
      };
    },
  };
}

/** Shape checks of `auditLog()`'s own options, at start-up: a bad one would fail later, untyped, or drop records. */
function checkOptions(options: AuditLogOptions): void {
  const fail = (option: string, expected: string) =>
    new PluginConfigError('MOP_INVALID_OPTIONS', `auditLog(): option '${option}' is invalid: expected ${expected}`, { plugin: 'audit', option });
  const { table, sinks, sinkType } = options as Record<string, unknown>;
  if (table !== undefined && table !== false && (typeof table !== 'string' || table.trim() === '')) throw fail('table', 'a table name or false');
  if (sinks !== undefined) {
    if (!Array.isArray(sinks)) throw fail('sinks', 'an array of sinks');
    const bad = sinks.findIndex(sink => sink === null || typeof sink !== 'object' || typeof (sink as AuditSink).write !== 'function');
    if (bad >= 0) throw fail('sinks', `a sink with a write() method at sinks[${bad}]`);
  }
  if (sinkType !== undefined && sinkType !== false && (sinkType === null || typeof (sinkType as PluginType<AuditSink>).chosen !== 'function')) {
    throw fail('sinkType', 'a plugin type made with definePluginType, or false');
  }
}

/**
 * A misspelt `redact` would leak what it meant to hide: every named property must exist. The first
 * miss fails start-up; `doctor` collects every one. Embedded properties may be named by path (`address.street`).
 */
function checkPropertyNames(settings: AuditSettings, storage: MetadataStorage, config: Configuration): void {
  for (const [entity, options] of settings.audited) {
    const meta = storage.getByClassName(entity, false);
    if (!meta) continue;
    const known = knownPaths(meta);
    for (const option of FIELD_OPTIONS) {
      const missing = options[option]?.filter(field => !known.has(field)) ?? [];
      if (missing.length > 0) {
        const received = missing.length === 1 ? missing[0] : missing;
        reportStartupIssue(config, new PluginOptionsError({ plugin: 'audit', entity, option, expected: `properties of ${entity}`, received }));
      }
    }
  }
}
