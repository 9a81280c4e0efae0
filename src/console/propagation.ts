import type { MikroORM } from '@mikro-orm/core';
import { operationsOf, pluginStatePropagation, type PluginStatePropagation } from '../operations/index.js';

export type Propagation = PluginStatePropagation;

/** How a change made here reaches other instances (what the plugin-state propagation uses now), and the state's version counter. */
export function propagationOf(orm: MikroORM): { propagation: Propagation; version: number | null } {
  let version: number | null = null;
  try {
    version = operationsOf(orm).store?.version ?? null;
  } catch {
    // No pluginOperations(): no state, nothing propagates.
  }
  return { propagation: pluginStatePropagation(orm), version };
}
