import { definePluginConfig } from 'mikro-orm-plugins/operations';

// Plugins by module specifier, in groups, in order; then every plugin module in ./plugins (duplicates load once).
export default definePluginConfig({
  plugins: {
    content: ['./plugins/permalink.js#PermalinkPlugin'],
    dir: './plugins',
  },
});
