// `mikro-orm-plugins/audit`: the audit plugin, its extension and history readers.
import { defaultRegistry } from './core.js';
import { AuditPlugin } from './plugins/audit/index.js';

export * from './plugins/audit/index.js';

defaultRegistry.register(AuditPlugin);
