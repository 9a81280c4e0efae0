import type { Configuration } from '@mikro-orm/core';
import type { PluginType } from '../../operations/index.js';
import type { AuditLogSchema } from './audit-log-entity.js';
import type { AuditOptions } from './options.js';
import type { AuditSink } from './types.js';

/** What `auditLog()` set up for one ORM. */
export interface AuditSettings {
  /** The audit table's schema, or undefined when the table is off. */
  readonly table: AuditLogSchema | undefined;
  /** Sinks that always run, in order. */
  readonly sinks: readonly AuditSink[];
  /** The plugin type whose chosen implementation also runs, after them; undefined for none. */
  readonly sinkType: PluginType<AuditSink> | undefined;
  /** Audited entities and their options, collected at discovery to check property names once metadata is final. */
  readonly audited: Map<string, AuditOptions>;
}

const byConfig = new WeakMap<Configuration, AuditSettings>();

export function setAuditSettings(config: Configuration, settings: AuditSettings): void {
  byConfig.set(config, settings);
}

export function auditSettings(config: Configuration): AuditSettings | undefined {
  return byConfig.get(config);
}
