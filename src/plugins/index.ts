export { TimestampPlugin, timestampProperties, type TimestampOptions } from './timestamp.js';
export * from './soft-delete/index.js';
export * from './validation/index.js';
export * from './audit/index.js';
export * from './cache/index.js';
