import { AsyncLocalStorage } from 'node:async_hooks';
import { PluginConfigError } from '../errors.js';
import { describeValue } from '../registry/plugin-meta.js';

// The scope lives in the async context alone: no process-wide count, so one request's scope never
// changes what another sees.
const switchedOff = new AsyncLocalStorage<ReadonlySet<string>>();
// Until the first scope, dispatch skips the lookup. It only ever turns on, so no request's
// scope depends on another's.
let scopesUsed = false;

/**
 * Runs `fn` with these plugins switched off: their hooks are skipped and their query filters lift
 * for every operation started inside `fn`, including work it started and left running (a promise
 * awaited after `fn` returned keeps the plugins off). Nested scopes add up.
 */
export function withoutPlugins<T>(plugins: readonly string[], fn: () => T): T {
  // Plain JavaScript may pass anything: a string would switch off its letters, a number throws a TypeError.
  if (!Array.isArray(plugins) || plugins.some(p => typeof p !== 'string' || p === '')) {
    throw invalid('plugins', `needs a list of plugin names, got ${Array.isArray(plugins) ? 'a list holding something else' : describeValue(plugins)}`);
  }
  if (typeof fn !== 'function') throw invalid('fn', `needs a function to run, got ${describeValue(fn)}`);
  scopesUsed = true;
  const outer = switchedOff.getStore();
  return switchedOff.run(new Set(outer ? [...outer, ...plugins] : plugins), fn);
}

function invalid(option: string, message: string): PluginConfigError {
  return new PluginConfigError('MOP_INVALID_ARGUMENT', `withoutPlugins() ${message}`, { option });
}

/** Plugins switched off for the current call, or undefined. */
export function switchedOffPlugins(): ReadonlySet<string> | undefined {
  return scopesUsed ? switchedOff.getStore() : undefined;
}
