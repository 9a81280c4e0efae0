import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { PLUGIN_EVENTS, type DispatchedEvent, type PluginEventName } from '../events.js';
import type { PluginError } from '../errors.js';
import { DispatchContext, type Chain, type ChainLink, type LinkFunction } from './chain.js';
import { compileChain } from './compile-chain.js';
import { dispatch, runFrom, runSettled } from './dispatch.js';

/** A plugin taking part in a plugin-level event, in the order the event runs them. */
export interface PluginEventMember {
  readonly name: string;
  readonly instance: object;
  /** What the plugin's secret options may show up as: kept out of the message of an error its hook throws. */
  readonly secrets?: readonly string[];
}

/**
 * The chain of a plugin-level event (`onLoad`, `onUnload`) over the given plugins, in the given
 * order; `null` when none of them has the method.
 */
export function buildPluginEventChain(event: PluginEventName, members: readonly PluginEventMember[]): Chain<false> | null {
  const links: ChainLink[] = [];
  for (const { name, instance, secrets = [] } of members) {
    const fn = (instance as Record<string, unknown>)[event];
    if (typeof fn !== 'function') continue;
    links.push(Object.freeze({ plugin: name, method: event, declaredOn: event, priority: 0, options: undefined, secrets, instance, fn: fn as LinkFunction, batch: undefined }));
  }
  if (links.length === 0) return null;
  const kind = PLUGIN_EVENTS[event];
  const fields = { event, kind, veto: false as const, withPayload: false, entity: '', links, batchOnly: false };
  // The runners read only the links and the entity, which the frozen chain shares.
  const chain = fields as unknown as Chain<false>;
  const run = kind === 'settled' ? (c: DispatchContext, s: unknown, a: unknown) => runSettled(chain, c, s, a) : compileChain(chain);
  const runSkipping = kind === 'settled' ? run : (c: DispatchContext, s: unknown, a: unknown) => runFrom(chain, c, s, a, 0);
  return Object.freeze({ ...fields, run, runSkipping });
}

/**
 * Dispatches a plugin-level event: each hook is called with the subject (the ORM). Sequential: a
 * promise that rejects with the first failure, tagged; settled: the failures, tagged.
 */
export async function dispatchPluginEvent(chain: Chain<false> | null, em: EntityManager, subject: unknown): Promise<PluginError[]> {
  if (chain === null) return [];
  // No entity here: hooks of plugin-level events take only their subject, and never read `meta`.
  const ctx = new DispatchContext(chain.event as DispatchedEvent, em, undefined as unknown as EntityMetadata, undefined, undefined);
  const result = await dispatch(chain, ctx, subject);
  return chain.kind === 'settled' ? (result as PluginError[]) : [];
}
