// `mikro-orm-plugins/audit`: the audit plugin, its extension and history readers.
export * from './plugins/audit/index.js';
