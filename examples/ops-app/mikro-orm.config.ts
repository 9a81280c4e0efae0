import { join } from 'node:path';
import { defineConfig, type Options } from '@mikro-orm/core';
import { auditLog } from 'mikro-orm-plugins/audit';
import { loadPluginConfig, pluginOperations } from 'mikro-orm-plugins/operations';
import { pluginSystem } from 'mikro-orm-plugins';
import { Article, Author } from './entities.js';
import './audit-sinks.js';
import './otp.js';

// The ORM config MikroORM's CLI and `mikro-orm-plugins` both find. The plugin modules load before
// MikroORM.init (extensions register synchronously), so the config file is read here, at the top level.
const plugins = await loadPluginConfig({ cwd: import.meta.dirname });

async function connection(): Promise<Partial<Options>> {
  const driver = process.env.OPS_APP_DRIVER ?? 'sqlite';
  const dbName = process.env.OPS_APP_DB_NAME ?? 'mop_ops';
  if (driver === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    return { driver: PostgreSqlDriver, dbName, host: '127.0.0.1', port: 5432, user: 'postgres' };
  }
  if (driver === 'mariadb') {
    const { MariaDbDriver } = await import('@mikro-orm/mariadb');
    return { driver: MariaDbDriver, dbName, host: '127.0.0.1', port: 3306, user: 'root', password: '' };
  }
  const { SqliteDriver } = await import('@mikro-orm/sqlite');
  return { driver: SqliteDriver, dbName: process.env.OPS_APP_SQLITE ?? join(import.meta.dirname, 'ops-app.sqlite') };
}

export default defineConfig({
  ...(await connection()),
  entities: [Article, Author],
  extensions: [
    pluginSystem({
      ...plugins,
      // Secrets come from the environment, by entity name; `list`, `explain`, `doctor` print them as ***.
      entities: {
        Article: [{ notify: { apiKey: process.env.OPS_APP_NOTIFY_KEY ?? 'sk-demo-0000' } }],
        Author: [{ notify: { apiKey: process.env.OPS_APP_NOTIFY_KEY ?? 'sk-demo-0000', channel: 'sms' } }],
      },
    }),
    auditLog(),
    pluginOperations({ state: { pollInterval: 500 } }),
  ],
});
