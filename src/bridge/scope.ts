import { AsyncLocalStorage } from 'node:async_hooks';

const switchedOff = new AsyncLocalStorage<ReadonlySet<string>>();
// While no scope is open, dispatch skips the AsyncLocalStorage lookup entirely.
let openScopes = 0;

/**
 * Runs `fn` with these plugins switched off: their hooks are skipped and their query filters
 * lift, for every operation started inside `fn`, until the promise it returns settles.
 */
export function withoutPlugins<T>(plugins: readonly string[], fn: () => T): T {
  const outer = switchedOff.getStore();
  const names = new Set(outer ? [...outer, ...plugins] : plugins);
  openScopes++;
  let result: T;
  try {
    result = switchedOff.run(names, fn);
  } catch (error) {
    openScopes--;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      openScopes--;
    }) as T;
  }
  openScopes--;
  return result;
}

/** Plugins switched off for the current call, or undefined. */
export function switchedOffPlugins(): ReadonlySet<string> | undefined {
  return openScopes === 0 ? undefined : switchedOff.getStore();
}
