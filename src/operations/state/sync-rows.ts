import type { EntityManager } from '@mikro-orm/core';
import { sameJson } from '../json-values.js';
import type { PluginStateEntities } from './entities.js';
import { rowKey, rowLabel, type DesiredRow, type SyncMode, type SyncReport } from './records.js';
import { bumpVersion, ensureVersionRow } from './version-counter.js';

/**
 * Brings the stored rows in line with the desired ones, in the caller's transaction: inserts missing
 * rows, in `update` mode refreshes priority, description and options, and with `prune` removes rows
 * the code no longer has. Bumps the version (and calls `onBump`, in the same transaction) only when
 * something changed, so a second run is a no-op.
 */
export async function syncRows(
  em: EntityManager,
  entities: PluginStateEntities,
  desired: Map<string, DesiredRow>,
  mode: SyncMode,
  prune: boolean,
  onProgress?: (step: string) => void,
  onBump?: (em: EntityManager) => Promise<void>,
): Promise<SyncReport> {
  const { PluginState } = entities;
  onProgress?.(`reading ${desired.size} plugin state row(s)`);
  const existing = await em.find(PluginState, {});
  const byKey = new Map(existing.map(r => [rowKey(r.plugin, r.entity), r]));
  const inserted: string[] = [];
  const updated: string[] = [];
  const pruned: string[] = [];
  const now = new Date();
  for (const [key, want] of desired) {
    const row = byKey.get(key);
    if (!row) {
      em.create(PluginState, { ...want, updatedAt: now });
      inserted.push(rowLabel(want.plugin, want.entity));
    } else if (mode === 'update') {
      const same = row.priority === want.priority && (row.description ?? null) === want.description && sameJson(row.options ?? null, want.options);
      if (!same) {
        em.assign(row, { priority: want.priority, description: want.description, options: want.options, updatedAt: now });
        updated.push(rowLabel(want.plugin, want.entity));
      }
    }
  }
  if (prune) {
    for (const row of existing) {
      if (desired.has(rowKey(row.plugin, row.entity))) continue;
      em.remove(row);
      pruned.push(rowLabel(row.plugin, row.entity));
    }
  }
  onProgress?.(`writing ${inserted.length} new, ${updated.length} updated, ${pruned.length} pruned row(s)`);
  await em.flush();
  if (inserted.length + updated.length + pruned.length > 0) {
    await bumpVersion(em, entities);
    await onBump?.(em);
  } else {
    await ensureVersionRow(em, entities);
  }
  return { inserted, updated, pruned };
}
