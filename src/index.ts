export * from './core.js';
export * from './plugins/index.js';
export * from './operations/index.js';
