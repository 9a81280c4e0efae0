export { TimestampPlugin, timestampProperties, type TimestampOptions } from './timestamp.js';
export * from './soft-delete/index.js';
export { ValidationPlugin, type ValidationOptions } from './validation.js';
export { ValidationError, VALIDATION_ERRORS, type FieldIssue } from './validation/errors.js';
export * from './audit/index.js';
export * from './cache/index.js';
