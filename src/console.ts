// `mikro-orm-plugins/console`: the plugin console, a web page and JSON API an application mounts on one route.
export { pluginConsole, type PluginConsole } from './console/plugin-console.js';
export type { ConsoleGrant, ConsoleRequest, ConsoleRole, PluginConsoleOptions } from './console/options.js';
export { CONSOLE_ERRORS, ConsoleError, type ConsoleErrorCode, type ConsoleIssue } from './console/errors.js';
export { CONTENT_SECURITY_POLICY } from './console/headers.js';
export type { ConsolePlugin } from './console/plugin-listing.js';
export type { Propagation } from './console/propagation.js';
