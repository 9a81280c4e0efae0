import { Utils, type EntityManager, type EntityMetadata, type EventArgs, type EventSubscriber, type EventType } from '@mikro-orm/core';
import { eachSyncUntilAsync } from '../chain/each-sync-until-async.js';

/** Marks the package's subscriber among an EventManager's subscribers (event order, benchmarks, diagnostics). */
export const PLUGIN_SUBSCRIBER = Symbol.for('mikro-orm-plugins:subscriber');

type Listener = (args: EventArgs<any>) => unknown;

/** The listeners MikroORM would call for one entity event, split where the package's subscriber sits. */
interface EventListeners {
  /** The entity's own hooks, then the subscribers registered before the package. */
  readonly before: readonly Listener[];
  /** The subscribers registered after it. */
  readonly after: readonly Listener[];
}

/**
 * MikroORM's order for an entity event (`EventManager.dispatchEvent`): the entity's own hooks in
 * declaration order, then the subscribers in registration order, those with `getSubscribedEntities`
 * only for their entities. The package runs an event itself when it must run earlier than MikroORM
 * would (a vetoable `beforeDelete`), and keeps this order.
 */
function listenersOf(em: EntityManager, event: EventType, entity: object, meta: EntityMetadata): EventListeners {
  const before: Listener[] = [];
  const after: Listener[] = [];
  const hooks = (meta.hooks[event] ?? []) as readonly (string | Listener)[];
  const proto = meta.prototype as Record<string, Listener | undefined> | undefined;
  for (const hook of hooks) {
    const fn = typeof hook === 'function' ? hook : ((entity as Record<string, Listener | undefined>)[hook] ?? proto?.[hook]);
    if (fn) before.push(fn.bind(entity));
  }
  let list = before;
  for (const subscriber of em.getEventManager().getSubscribers() as Set<EventSubscriber & Record<string | symbol, unknown>>) {
    if (subscriber[PLUGIN_SUBSCRIBER] === true) {
      list = after;
      continue;
    }
    const fn = subscriber[event];
    if (typeof fn !== 'function' || !subscribes(subscriber, entity)) continue;
    list.push(fn.bind(subscriber) as Listener);
  }
  return { before, after };
}

function subscribes(subscriber: EventSubscriber, entity: object): boolean {
  const names = subscriber.getSubscribedEntities?.();
  if (!names || names.length === 0) return true;
  const wanted = new Set(names.map(name => Utils.classOrName(name)));
  return wanted.has(entity.constructor as never) || wanted.has(entity.constructor.name);
}

/** Calls the listeners one after another, awaiting each, as MikroORM does; sync while they are. */
function runListeners(listeners: readonly Listener[], args: EventArgs<any>): void | Promise<void> {
  return eachSyncUntilAsync(listeners, listener => {
    const result = listener(args);
    // Only a promise is awaited; any other value a listener returns is ignored.
    if (result instanceof Promise) return result;
  });
}

/**
 * Runs one entity event the package runs itself, in MikroORM's order: the listeners before the package,
 * `plugins` (its chain) at the package's place, then, unless the chain vetoed, the later listeners.
 */
export function runEntityEvent(
  em: EntityManager,
  event: EventType,
  args: EventArgs<any>,
  plugins: () => void | false | Promise<void | false>,
): void | false | Promise<void | false> {
  const listeners = listenersOf(em, event, args.entity, args.meta!);
  const runAfter = (verdict: void | false): void | false | Promise<void | false> => {
    if (verdict === false || listeners.after.length === 0) return verdict;
    const rest = runListeners(listeners.after, args);
    return rest instanceof Promise ? rest.then(() => verdict) : verdict;
  };
  const first = listeners.before.length === 0 ? undefined : runListeners(listeners.before, args);
  if (first instanceof Promise) return first.then(plugins).then(runAfter);
  const verdict = plugins();
  return verdict instanceof Promise ? verdict.then(runAfter) : runAfter(verdict);
}
