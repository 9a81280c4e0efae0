import { invalidArgument, runWithContext, type ActorContext } from '../core.js';

/**
 * Runs `fn` as `actor` (a name, or `{ actor, requestId }`): the audit plugin records it on every row
 * the flushes inside `fn` write. The same AsyncLocalStorage scope as `runWithContext`, so it covers
 * what `fn` awaits, forks and transactions included, and ends when `fn`'s promise settles.
 */
export function withActor<T>(actor: string | ActorContext, fn: () => T): T {
  if (typeof actor !== 'string' && (typeof actor !== 'object' || actor === null)) {
    throw invalidArgument('withActor', 'actor', 'a name or { actor, requestId }', actor);
  }
  if (typeof fn !== 'function') throw invalidArgument('withActor', 'fn', 'a function', fn);
  return runWithContext(typeof actor === 'string' ? { actor } : actor, fn);
}
