import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/core';
import { invalidArgument, metadataOf, pluginOptions } from '../../core.js';
import { refuseNoDelete } from './refusals.js';

const hardDeleting = new AsyncLocalStorage<ReadonlySet<object>>();

/** Whether `hardDelete()` is deleting this entity: the plugin's `beforeDelete` then lets it go. */
export function isHardDeleting(entity: object): boolean {
  return hardDeleting.getStore()?.has(entity) === true;
}

/**
 * Deletes the row for real and flushes. The rows of its cascade relations go with it, soft-deleted
 * ones included; the user's own and other plugins' delete hooks fire. Other changes pending in `em`
 * are flushed as usual (their removes stay soft). A `noDelete` entity throws `DeleteRefusedError`
 * before anything changes.
 */
export async function hardDelete(em: EntityManager, entity: object): Promise<void> {
  if (typeof entity !== 'object' || entity === null) throw invalidArgument('hardDelete', 'entity', 'an entity instance', entity);
  if (pluginOptions(em, entity, 'softDelete')?.policy === 'noDelete') throw refuseNoDelete(metadataOf(em, entity).className);
  await hardDeleting.run(new Set([entity]), () => em.remove(entity).flush());
}
