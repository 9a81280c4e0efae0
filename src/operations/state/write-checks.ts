import { PluginConfigError } from '../../errors.js';
import { didYouMean } from '../../registry/did-you-mean.js';
import { describeValue, quote } from '../../registry/plugin-meta.js';
import { INT32_MAX, INT32_MIN, isStorablePriority } from './desired-rows.js';
import { STATUSES, type PluginStatus } from './entities.js';
import type { SyncMode } from './records.js';

// Plain-JavaScript callers reach the store too: every argument is checked before a transaction opens.

export function checkStatus(plugin: string, status: PluginStatus): void {
  if (STATUSES.includes(status)) return;
  throw new PluginConfigError('MOP_INVALID_OPTIONS', `Status must be one of ${STATUSES.join(', ')}, got ${quote(status)}`, { plugin });
}

/** The column is a 32-bit integer: checked here, before the driver fails half-way (22003 on PostgreSQL). */
export function checkPriority(plugin: string, priority: number | null): void {
  if (priority === null || isStorablePriority(priority)) return;
  const got = typeof priority === 'string' ? JSON.stringify(priority) : typeof priority === 'number' ? String(priority) : describeValue(priority);
  throw new PluginConfigError('MOP_INVALID_OPTIONS', `Plugin '${plugin}': priority must be an integer from ${INT32_MIN} to ${INT32_MAX} (or null), got ${got}`, { plugin, option: 'priority' });
}

export function checkSyncMode(mode: SyncMode): void {
  if (mode === 'create' || mode === 'update') return;
  throw new PluginConfigError('MOP_INVALID_OPTIONS', `sync mode must be 'create' or 'update', got ${typeof mode === 'string' ? JSON.stringify(mode) : describeValue(mode)}`, { option: 'mode' });
}

/** A write to a row the code does not know: an unknown plugin, or one not attached to that entity. */
export function unknownRow(plugin: string, entity: string, known: { names: readonly string[]; attachedTo: readonly string[] }): PluginConfigError {
  if (!known.names.includes(plugin)) {
    return new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin or implementation named '${plugin}' is registered${didYouMean(plugin, known.names)}`, { plugin });
  }
  return new PluginConfigError('MOP_UNKNOWN_ENTITY', `Plugin '${plugin}' is not attached to entity '${entity}'${didYouMean(entity, known.attachedTo)}`, { plugin, entity });
}
