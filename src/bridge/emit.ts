import type { EntityManager } from '@mikro-orm/core';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { CustomEventName, CustomHookEvents, DispatchedEvent } from '../events.js';
import { checkEmittedEvent } from '../registry/event-names.js';
import { runtimeOf } from './runtimes.js';
import { metadataOf } from './inspect.js';
import { switchedOffPlugins } from './scope.js';

type PayloadArgs<K extends CustomEventName> = undefined extends CustomHookEvents[K] ? [payload?: CustomHookEvents[K]] : [payload: CustomHookEvents[K]];

/**
 * Fires a custom event on an entity's chain: `emit(em, 'afterAccess', user, { by })`.
 * The event must be declared by a registered plugin (`@plugin({ events })`), or this throws `MOP_UNKNOWN_EVENT`.
 * Returns a promise only if a hook was async.
 */
export function emit<K extends CustomEventName>(em: EntityManager, event: K, entity: object, ...[payload]: PayloadArgs<K>): void | Promise<void> {
  const runtime = runtimeOf(em);
  checkEmittedEvent(event, runtime.registry.declaredEvents());
  const meta = metadataOf(em, entity);
  const chain = runtime.chainsOf(meta)?.custom.get(event);
  if (chain === undefined) return;
  const ctx = new DispatchContext(event as DispatchedEvent, em, meta, undefined, switchedOffPlugins());
  return dispatch(chain, ctx, entity, payload);
}
