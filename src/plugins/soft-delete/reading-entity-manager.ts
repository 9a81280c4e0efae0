import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { hideOwnersOfDeletedTargets, keepOwnersOfDeletedTargets } from './deleted-targets.js';
import { deletedRowsOptions } from './find-options.js';
import { hiddenByIdentityMap } from './identity-map.js';

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/**
 * The reading side of soft delete, as a layer under the package's EntityManager: `withDeleted` and
 * `onlyDeleted` find options, `findOne` answering null for a managed entity soft-deleted in this
 * context, and the `deletedTargets` joins. Every other read method goes through these.
 */
export function withSoftDeleteReading<T extends EntityManagerClass>(Base: T): T {
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager;

  // findAll, findAndCount and findByCursor call find and count; findOneOrFail calls findOne.
  class SoftDeleteReading extends Concrete {
    // async: a ConflictingOptionsError rejects the promise instead of throwing at the call.
    override async find(entityName: any, where: any, options?: any): Promise<any> {
      return super.find(entityName, where, deletedRowsOptions(entityName, options));
    }

    override async findOne(entityName: any, where: any, options?: any): Promise<any> {
      const prepared = deletedRowsOptions(entityName, options);
      const found = await super.findOne(entityName, where, prepared);
      return found != null && hiddenByIdentityMap(this, found, prepared) ? null : found;
    }

    override async count(entityName: any, where?: any, options?: any): Promise<number> {
      return super.count(entityName, where, deletedRowsOptions(entityName, options));
    }

    override async countBy(entityName: any, groupBy: any, options?: any): Promise<any> {
      return super.countBy(entityName, groupBy, deletedRowsOptions(entityName, options));
    }

    override async *stream(entityName: any, options?: any): AsyncIterableIterator<any> {
      yield* super.stream(entityName, deletedRowsOptions(entityName, options));
    }

    protected override async autoJoinRefsForFilters(meta: EntityMetadata, options: any, parent?: any): Promise<void> {
      await super.autoJoinRefsForFilters(meta, options, parent);
      keepOwnersOfDeletedTargets(this, meta, options);
    }

    protected override async getJoinedFilters(meta: EntityMetadata, options: any): Promise<any> {
      return hideOwnersOfDeletedTargets(this, meta, options, await super.getJoinedFilters(meta, options));
    }
  }

  return SoftDeleteReading as unknown as T;
}
