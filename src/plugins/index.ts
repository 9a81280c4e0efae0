export { TimestampPlugin, type TimestampOptions } from './timestamp.js';
export { SoftDeletePlugin, hardDelete, onlyDeleted, restore, withDeleted, type SoftDeleteOptions } from './soft-delete.js';
export { ValidationPlugin, type ValidationOptions } from './validation.js';
