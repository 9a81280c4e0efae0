import { raw, type EntityManager } from '@mikro-orm/core';
import type { PluginStateEntities } from './entities.js';

// `plugin_state_version` holds one row (id 1) whose counter every change increments, so other
// instances notice a change by reading one number.

export async function readVersion(em: EntityManager, entities: PluginStateEntities): Promise<number> {
  const row = await em.findOne(entities.PluginStateVersion, { id: 1 }, { disableIdentityMap: true });
  return row?.version ?? 0;
}

/** Atomic `version = version + 1` (a read-modify-write could lose one instance's change to another's). */
export async function bumpVersion(em: EntityManager, entities: PluginStateEntities): Promise<void> {
  const column = em.getPlatform().quoteIdentifier('version');
  const count = await em.nativeUpdate(entities.PluginStateVersion, { id: 1 }, { version: raw(`${column} + 1`) });
  if (count === 0) await em.insert(entities.PluginStateVersion, { id: 1, version: 1 });
}

export async function ensureVersionRow(em: EntityManager, entities: PluginStateEntities): Promise<void> {
  const exists = await em.count(entities.PluginStateVersion, { id: 1 });
  if (exists === 0) await em.insert(entities.PluginStateVersion, { id: 1, version: 0 });
}
