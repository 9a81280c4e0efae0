// The same app deployed with bad plugin options. A normal start stops at the first one; doctor lists
// every one, secrets as ***: `mikro-orm-plugins doctor --config misconfigured.config.js`.
import { defineConfig } from '@mikro-orm/core';
import { auditLog } from 'mikro-orm-plugins/audit';
import { loadPluginConfig, pluginOperations } from 'mikro-orm-plugins/operations';
import { pluginSystem } from 'mikro-orm-plugins';
import config from './mikro-orm.config.js';

const plugins = await loadPluginConfig({ cwd: import.meta.dirname });
const apiKey = process.env.OPS_APP_NOTIFY_KEY ?? 'sk-0';

export default defineConfig({
  ...config,
  extensions: [
    pluginSystem({
      ...plugins,
      entities: {
        // A key too short (a secret: never printed), and more retries than the plugin allows.
        Article: [{ notify: { apiKey, retries: 99 } }],
        // The same key, and an endpoint that is not https.
        Author: [{ notify: { apiKey, endpoint: 'http://notify.example.test' } }],
      },
    }),
    auditLog(),
    pluginOperations(),
  ],
});
