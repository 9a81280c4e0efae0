import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { findOperations } from './extension.js';
import type { PluginStatePropagation } from './notify/notify-options.js';

/**
 * How this instance hears of plugin-state changes other instances make, now: `postgres-notify`
 * (LISTEN/NOTIFY), `redis` (pub/sub), `polling` (the version counter, also while a listener is
 * reconnecting) or `none` (no `pluginOperations({ state })`, polling off, or closed). In the CLI, which
 * opens no listener, it is what the app's instances use when their listener is connected.
 */
export function pluginStatePropagation(orm: MikroORM | EntityManager): PluginStatePropagation {
  return findOperations(orm)?.propagation?.mode ?? 'none';
}
