import type { EntityManager } from '@mikro-orm/core';
import { findRuntime } from '../../bridge/runtimes.js';
import { withFilterJoinHooks, type FilterJoinHooks } from '../../bridge/orm-internals.js';
import { hasDeletedTargets, hideOwnersOfDeletedTargets, keepOwnersOfDeletedTargets } from './deleted-targets.js';
import { deletedRowsOptions } from './find-options.js';
import { hiddenByIdentityMap, softDeleteFieldOf } from './identity-map.js';

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/**
 * The reading side of soft delete, as a layer under the package's EntityManager: `withDeleted` and
 * `onlyDeleted` find options, `findOne` answering null for a managed entity soft-deleted in this
 * context, and the `deletedTargets` joins. Every other read method goes through these.
 * Each method hands MikroORM's own promise back untouched unless soft delete concerns the call, so
 * reads (dataloader and populate queries included) run in MikroORM's order.
 */
export function withSoftDeleteReading<T extends EntityManagerClass>(Base: T): T {
  const Concrete = withFilterJoinHooks(Base, DELETED_TARGETS) as unknown as new (...args: any[]) => EntityManager;

  // findAll, findAndCount and findByCursor call find and count; findOneOrFail calls findOne.
  class SoftDeleteReading extends Concrete {
    override find(entityName: any, where: any, options?: any): Promise<any> {
      return withReadOptions(entityName, options, prepared => super.find(entityName, where, prepared));
    }

    override findOne(entityName: any, where: any, options?: any): Promise<any> {
      return withReadOptions(entityName, options, prepared => {
        const pending = super.findOne(entityName, where, prepared);
        if (!mayBeHidden(this, entityName, prepared)) return pending;
        return pending.then(found => (found != null && hiddenByIdentityMap(this, found, prepared) ? null : found));
      });
    }

    override count(entityName: any, where?: any, options?: any): Promise<number> {
      return withReadOptions(entityName, options, prepared => super.count(entityName, where, prepared));
    }

    override countBy(entityName: any, groupBy: any, options?: any): Promise<any> {
      return withReadOptions(entityName, options, prepared => super.countBy(entityName, groupBy, prepared));
    }

    override stream(entityName: any, options?: any): AsyncIterableIterator<any> {
      try {
        return super.stream(entityName, deletedRowsOptions(entityName, options));
      } catch (error) {
        return failing(error);
      }
    }
  }

  return SoftDeleteReading as unknown as T;
}

/** `deletedTargets`: NOT NULL relations in `null` mode stay LEFT JOINed, relations in `hide` mode leave their owner out. */
const DELETED_TARGETS: FilterJoinHooks = {
  concerns: hasDeletedTargets,
  afterJoinsPlanned: keepOwnersOfDeletedTargets,
  afterJoinedFilters: hideOwnersOfDeletedTargets,
};

/** Runs a read with `withDeleted`/`onlyDeleted` turned into filters; a bad combination rejects, as an async method would. */
function withReadOptions<R>(entityName: unknown, options: unknown, read: (prepared: any) => Promise<R>): Promise<R> {
  let prepared: unknown;
  try {
    prepared = deletedRowsOptions(entityName, options as object | undefined);
  } catch (error) {
    return Promise.reject(error);
  }
  return read(prepared);
}

/** Whether findOne may have to hide a managed soft-deleted entity: only for soft-deletable entities read with the default filter. */
function mayBeHidden(em: EntityManager, entityName: unknown, options: { filters?: unknown } | undefined): boolean {
  if (options?.filters != null) return false;
  const runtime = findRuntime(em);
  const meta = runtime && em.getMetadata().find(entityName as never);
  if (!meta) return false;
  // Single-table inheritance: a read of the root may return a child that is soft-deletable.
  return softDeleteFieldOf(runtime, meta) !== null || meta.discriminatorColumn !== undefined;
}

async function* failing(error: unknown): AsyncIterableIterator<never> {
  throw error;
}
