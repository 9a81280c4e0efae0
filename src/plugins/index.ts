export { TimestampPlugin, timestampProperties, type TimestampOptions } from './timestamp.js';
export { SoftDeletePlugin, hardDelete, onlyDeleted, restore, softDeleteProperties, withDeleted, type SoftDeleteOptions } from './soft-delete.js';
export { ValidationPlugin, type ValidationOptions } from './validation.js';
export * from './audit/index.js';
export * from './cache/index.js';
