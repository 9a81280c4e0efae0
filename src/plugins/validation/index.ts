export { ValidationPlugin, type ValidationOptions } from './plugin.js';
export { ValidationError, VALIDATION_ERRORS, type FieldIssue } from './errors.js';
