import type { EntityManager } from '@mikro-orm/core';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { CustomEventName, CustomHookEvents, DispatchedEvent, EmitResult } from '../events.js';
import { checkEmittedEvent } from '../registry/event-names.js';
import { runtimeOf } from './runtimes.js';
import { metadataOf } from './inspect.js';
import { switchedOffPlugins } from './scope.js';

type PayloadArgs<K extends CustomEventName> = undefined extends CustomHookEvents[K] ? [payload?: CustomHookEvents[K]] : [payload: CustomHookEvents[K]];

/**
 * Fires a custom event on an entity's chain: `emit(em, 'afterAccess', user, { by })`. By the event's
 * declared kind it returns nothing (sequential), whether no hook vetoed (veto), or the payload after
 * every hook (waterfall); a promise only if a hook was async.
 * The event must be declared by a registered plugin (`@plugin({ events })`), or this throws `MOP_UNKNOWN_EVENT`.
 */
export function emit<K extends CustomEventName>(em: EntityManager, event: K, entity: object, ...[payload]: PayloadArgs<K>): EmitResult<K> {
  const runtime = runtimeOf(em);
  const declared = runtime.registry.declaredEvents();
  checkEmittedEvent(event, declared);
  const kind = declared.get(event)!.kind;
  const meta = metadataOf(em, entity);
  const chain = runtime.chainsOf(meta)?.custom.get(event);
  const ctx = chain && new DispatchContext(event as DispatchedEvent, em, meta, undefined, switchedOffPlugins());
  if (kind === 'waterfall') return (chain ? dispatch(chain, ctx!, payload, entity) : payload) as EmitResult<K>;
  const result = chain && dispatch(chain, ctx!, entity, payload);
  if (kind === 'sequential') return result as EmitResult<K>;
  return (result instanceof Promise ? result.then(allowed) : allowed(result)) as EmitResult<K>;
}

function allowed(result: unknown): boolean {
  return result !== false;
}
