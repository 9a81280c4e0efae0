import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/core';
import { invalidArgument } from '../errors.js';

/** Who is acting, and on behalf of which request. Audit rows record both. */
export interface ActorContext {
  /** The user, service or job making the change. */
  actor?: string | null;
  /** A request or correlation id, to group the changes one request made. */
  requestId?: string | null;
}

const store = new AsyncLocalStorage<Readonly<ActorContext>>();

// Kept in the entity manager's logger context because MikroORM copies that into every fork,
// including the forks `em.transactional()` makes, so a context bound to an em reaches its flushes.
const EM_KEY = 'actorContext';

/**
 * Runs `fn` with this context for every operation started inside it, until the promise it
 * returns settles (AsyncLocalStorage, so concurrent requests never see each other's context).
 * Nested calls merge into the outer context; inner values win.
 */
export function runWithContext<T>(context: ActorContext, fn: () => T): T {
  checkContext('runWithContext', context);
  if (typeof fn !== 'function') throw invalidArgument('runWithContext', 'fn', 'a function to run', fn);
  return store.run(merge(store.getStore(), context), fn);
}

/**
 * Binds a context to one entity manager and to the forks made from it afterwards; its flushes
 * record it even outside `runWithContext`. Returns the em: `bindContext(orm.em.fork(), { actor: 'cron' })`.
 */
export function bindContext<E extends EntityManager>(em: E, context: ActorContext): E {
  checkEm('bindContext', em);
  checkContext('bindContext', context);
  const logger = em.getLoggerContext({ disableContextResolution: true });
  // Replaced, never mutated: forks made earlier keep their copy of the previous value.
  logger[EM_KEY] = merge(logger[EM_KEY] as ActorContext | undefined, context);
  return em;
}

/** The context in force: the one `runWithContext` opened, overridden field by field by the one bound to `em`. */
export function currentContext(em?: EntityManager): Readonly<ActorContext> {
  if (em !== undefined) checkEm('currentContext', em);
  const scoped = store.getStore();
  const bound = em?.getLoggerContext({ disableContextResolution: true })[EM_KEY] as ActorContext | undefined;
  return bound ? merge(scoped, bound) : (scoped ?? EMPTY);
}

// Plain JavaScript may pass anything; an actor that is not text would reach the audit's text column.
function checkContext(fn: string, context: unknown): asserts context is ActorContext {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw invalidArgument(fn, 'context', 'an object { actor, requestId }', context);
  for (const key of ['actor', 'requestId'] as const) {
    const value = (context as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && typeof value !== 'string') throw invalidArgument(fn, key, 'a string or null', value);
  }
}

function checkEm(fn: string, em: unknown): void {
  if (typeof (em as { getLoggerContext?: unknown } | null | undefined)?.getLoggerContext !== 'function') throw invalidArgument(fn, 'em', 'an EntityManager', em);
}

const EMPTY: Readonly<ActorContext> = Object.freeze({});

/** `outer` with the fields `inner` defines; `undefined` leaves a field as it was. */
function merge(outer: Readonly<ActorContext> | undefined, inner: ActorContext): Readonly<ActorContext> {
  const result: ActorContext = { ...outer };
  for (const key of ['actor', 'requestId'] as const) if (inner[key] !== undefined) result[key] = inner[key];
  return Object.freeze(result);
}
