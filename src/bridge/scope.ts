import { AsyncLocalStorage } from 'node:async_hooks';

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
  scopesUsed = true;
  const outer = switchedOff.getStore();
  return switchedOff.run(new Set(outer ? [...outer, ...plugins] : plugins), fn);
}

/** Plugins switched off for the current call, or undefined. */
export function switchedOffPlugins(): ReadonlySet<string> | undefined {
  return scopesUsed ? switchedOff.getStore() : undefined;
}
