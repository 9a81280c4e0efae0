import { sameJson } from '../json-values.js';
import { GLOBAL, type PluginStatus } from './entities.js';

/** One row of `plugin_state`, as read. */
export interface PluginStateRecord {
  readonly plugin: string;
  readonly entity: string;
  readonly status: PluginStatus;
  readonly priority: number | null;
  readonly description: string | null;
  readonly options: Record<string, unknown> | null;
  readonly updatedAt: Date;
}

/** A row as the code says it should be (or as a write will leave it). */
export interface DesiredRow {
  plugin: string;
  entity: string;
  status: PluginStatus;
  priority: number | null;
  description: string | null;
  options: Record<string, unknown> | null;
}

export type SyncMode = 'create' | 'update';

export interface SyncOptions {
  /** `create` (default) inserts missing rows and leaves existing ones alone; `update` also refreshes priority, description and options from code. */
  mode?: SyncMode;
  /** Remove rows of plugins (and plugin/entity pairs) that no longer exist. Default false. */
  prune?: boolean;
  /** Called before each database step, which may be slow (the CLI shows it on a terminal). */
  onProgress?: (step: string) => void;
}

export interface SyncReport {
  readonly inserted: readonly string[];
  readonly updated: readonly string[];
  readonly pruned: readonly string[];
}

/** The key of a (plugin, entity) row in maps. */
export const rowKey = (plugin: string, entity: string): string => `${plugin}\u0000${entity}`;

/** A row as reports name it: `plugin`, or `plugin @ Entity`. */
export const rowLabel = (plugin: string, entity: string): string => (entity === GLOBAL ? plugin : `${plugin} @ ${entity}`);

/** Whether two snapshots of the rows agree on everything the chains and options read. */
export function sameSnapshot(a: Map<string, PluginStateRecord>, b: Map<string, PluginStateRecord>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, row] of a) {
    const other = b.get(key);
    if (!other || other.status !== row.status || other.priority !== row.priority || other.description !== row.description || !sameJson(other.options, row.options)) return false;
  }
  return true;
}
