export { SoftDeletePlugin, hardDelete, onlyDeleted, restore, softDeleteProperties, withDeleted } from './plugin.js';
export type { DeletePolicy, DeletedTargetMode, SoftDeleteOptions } from './options.js';
