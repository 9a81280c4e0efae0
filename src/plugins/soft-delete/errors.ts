import { defineErrorCodes, type ErrorCodesOf, PluginError } from '../../core.js';

export const SOFT_DELETE_ERRORS = defineErrorCodes('softDelete', {
  MOP_DELETE_REFUSED:
    'at run time: the softDelete `policy` forbids the delete (`noDelete`, or a bulk `nativeDelete` of a `softCascade` entity); names entity and plugin; nothing was written',
  MOP_CONFLICTING_OPTIONS: 'at run time: a read asked for `withDeleted` and `onlyDeleted` at once, or `onlyDeleted` with `filters: false`',
  MOP_SOFT_DELETE_RELATION: "at run time: `onlyDeleted: { relations }` names a path that is not a relation of the entity read (or is not an array of strings); names the entity and the path, with the nearest relation's name",
  MOP_SOFT_DELETE_UNIQUE: 'at start-up: a softDelete `unique` entry names no column of the entity (an unknown property, a collection, an unpersisted one); names entity, plugin and `unique`',
  MOP_SOFT_DELETE_FIELD:
    'at start-up: softDelete `field`, `batchField` or `deletedBy` names a relation, or a property the entity declares NOT NULL (every insert would fail); names entity, plugin and option',
});

declare module '../../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof SOFT_DELETE_ERRORS> {}
}

/**
 * A delete the softDelete plugin's policy forbids: any delete of a `noDelete` entity, or a bulk
 * `nativeDelete` of a `softCascade` entity (a bulk write cannot cascade through the children's hooks).
 * Raised before anything is written.
 */
export class DeleteRefusedError extends PluginError {
  override name = 'DeleteRefusedError';

  constructor(entity: string, reason: string) {
    super('MOP_DELETE_REFUSED', `Entity '${entity}', plugin 'softDelete': ${reason}`, { entity, plugin: 'softDelete' });
  }
}

/** Options that ask for two things at once: `withDeleted` with `onlyDeleted`, or `onlyDeleted` with `filters: false`. */
export class ConflictingOptionsError extends PluginError {
  override name = 'ConflictingOptionsError';
}

/** `onlyDeleted: { relations }` naming something that is not a relation path of the entity read. */
export class RelationPathError extends PluginError {
  override name = 'RelationPathError';

  constructor(message: string, details: { entity?: string }) {
    super('MOP_SOFT_DELETE_RELATION', message, { ...details, plugin: 'softDelete', option: 'onlyDeleted.relations' });
  }
}
