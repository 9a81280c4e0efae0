export { SoftDeletePlugin, onlyDeleted, withDeleted } from './plugin.js';
// Delete policies: restore (with cascade), hard delete, the typed columns.
export { restore, type RestoreOptions } from './restore.js';
export { hardDelete } from './hard-delete.js';
export { softDeleteProperties } from './properties.js';
export type { DeletePolicy, DeletedTargetMode, SoftDeleteOptions } from './options.js';
// Reading: withDeleted/onlyDeleted find options, a module augmentation that must reach the declarations.
export type { OnlyDeletedOptions, RelationPath } from './find-options.js';
// Its errors: refused deletes, conflicting read options.
export { ConflictingOptionsError, DeleteRefusedError, RelationPathError, SOFT_DELETE_ERRORS } from './errors.js';
