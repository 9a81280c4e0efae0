import type { MikroORM } from '@mikro-orm/core';
import { operationsOf } from '../operations/index.js';

export type Propagation = 'postgres-notify' | 'redis' | 'polling' | 'none';

/**
 * How a change made here reaches other instances: what the plugin-state store says it uses
 * (`propagation`), else `polling` when there is a store, `none` without one.
 */
export function propagationOf(orm: MikroORM): { propagation: Propagation; version: number | null } {
  let store: ({ version: number | undefined; propagation?: unknown } & object) | undefined;
  try {
    store = operationsOf(orm).store;
  } catch {
    store = undefined;
  }
  if (!store) return { propagation: 'none', version: null };
  const said = store.propagation;
  const propagation: Propagation = said === 'postgres-notify' || said === 'redis' || said === 'polling' || said === 'none' ? said : 'polling';
  return { propagation, version: store.version ?? null };
}
