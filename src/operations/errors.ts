import { defineErrorCodes, type ErrorCodesOf } from '../errors.js';

export const OPERATIONS_ERRORS = defineErrorCodes('operations', {
  MOP_CONFIG_LOAD_FAILED: 'before start-up: a plugin config file or specifier failed to load (names the specifier and the reason)',
  MOP_INVALID_IMPLEMENTATION: 'at registration: a plugin type implementation lacks a required method, its name is taken, or its status or priority (a 32-bit integer) is invalid',
  MOP_NO_IMPLEMENTATION: 'at run time: a plugin type has no active or reserve implementation',
  MOP_STATE_NOTIFY_FAILED: 'at run time: the plugin-state notifier (PostgreSQL LISTEN/NOTIFY or Redis pub/sub) could not connect, lost its connection or could not publish; given to `onError` (never thrown) while it reconnects and polling covers',
  MOP_STATE_UNAVAILABLE: 'at run time: a plugin-state call on an ORM installed with `pluginOperations({ state: false })`',
});

declare module '../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof OPERATIONS_ERRORS> {}
}
