// The built-in plugins of the package's main entry; audit and cache have entries of their own.
export { TimestampPlugin, timestampProperties, type TimestampOptions } from './timestamp.js';
export * from './soft-delete/index.js';
export * from './validation/index.js';
