import type { Configuration } from '@mikro-orm/core';
import { PluginConfigError } from '../errors.js';

/**
 * `new MikroORM(options)` discovers synchronously and ignores what discovery callbacks return;
 * `MikroORM.init()` sets `skipSyncDiscovery` and awaits them.
 */
export function isSyncDiscovery(config: Configuration): boolean {
  return config.get('discovery').skipSyncDiscovery !== true;
}

/**
 * Runs `next` after `previous` (another discovery callback's result) settles. Under synchronous discovery
 * MikroORM would not wait for `previous` either, so `next` runs at once, as MikroORM would have run it.
 */
export function afterSettled(previous: unknown, sync: boolean, next: () => void | Promise<void>): void | Promise<void> {
  if (!sync && isPromiseLike(previous)) return Promise.resolve(previous).then(next);
  return next();
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** A plugin's start-up work turned out asynchronous under `new MikroORM()`, which cannot wait for it. */
export function asyncUnderSyncDiscovery(entity: string, plugin: string, what: string, pending: PromiseLike<unknown>): PluginConfigError {
  // The work already started: keep its failure from surfacing as an unhandled rejection.
  Promise.resolve(pending).catch(() => undefined);
  return new PluginConfigError(
    'MOP_SYNC_INIT',
    `Entity '${entity}', plugin '${plugin}': ${what} is asynchronous, and \`new MikroORM()\` cannot wait for it. Use \`await MikroORM.init(options)\` instead`,
    { entity, plugin },
  );
}
