// `mikro-orm-plugins/cache`: the second-level entity cache and its stores (Redis needs the optional `ioredis`).
export * from './plugins/cache/index.js';
