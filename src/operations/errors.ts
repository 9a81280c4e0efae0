import { defineErrorCodes, PluginConfigError, type ErrorCodesOf } from '../errors.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';

export const OPERATIONS_ERRORS = defineErrorCodes('operations', {
  MOP_CONFIG_LOAD_FAILED: 'before start-up: a plugin config file or specifier failed to load (names the specifier and the reason)',
  MOP_INVALID_IMPLEMENTATION: 'at registration: a plugin type implementation lacks a required method, its name is taken, or its status or priority (a 32-bit integer) is invalid',
  MOP_NO_IMPLEMENTATION: 'at run time: a plugin type has no active or reserve implementation',
  MOP_STATE_NOTIFY_FAILED: 'at run time: the plugin-state notifier (PostgreSQL LISTEN/NOTIFY or Redis pub/sub) could not connect, lost its connection or could not publish; given to `onError` (never thrown) while it reconnects and polling covers',
  MOP_STATE_UNAVAILABLE: 'at run time: a plugin-state call on an ORM installed with `pluginOperations({ state: false })`',
  MOP_OPTION_NOT_LIVE:
    "at run time: an options edit (`setPluginOptions`, the console) changes an option the plugin does not declare `live`; `option` names the first, nothing is stored",
});

declare module '../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof OPERATIONS_ERRORS> {}
}

/** An options edit changes options that cannot change while the app runs: nothing was stored. `options` lists them all. */
export class OptionNotLiveError extends PluginConfigError {
  override name = 'OptionNotLiveError';
  readonly options: readonly string[];

  constructor(definition: PluginDefinition, entity: string, options: readonly string[]) {
    const live = definition.options.live ?? [];
    const names = options.map(o => `'${o}'`).join(', ');
    super(
      'MOP_OPTION_NOT_LIVE',
      `Plugin '${definition.name}' on entity '${entity}': option${options.length === 1 ? '' : 's'} ${names} cannot change while the application runs; change ${options.length === 1 ? 'it' : 'them'} in the code. ${live.length > 0 ? `Live options: ${live.join(', ')}` : 'The plugin declares no live option'}`,
      { plugin: definition.name, entity, option: options[0] },
    );
    this.options = options;
  }
}
