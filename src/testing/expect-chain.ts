import { AssertionError } from 'node:assert';
import type { EntityManager, EntityName, MikroORM } from '@mikro-orm/core';
import { describeChain, invalidArgument, metadataOf, type ChainEventName, type HookSummary } from '../core.js';

/**
 * Asserts the compiled chain of an entity and event, as `describeChain` shows it: the hooks, as
 * `plugin.method`, in the order they will run. Throws an `AssertionError` (an `Error`, with `actual`
 * and `expected`, which vitest, jest and node:test print as a diff) when it differs; returns the chain.
 */
export function expectChain(
  ormOrEm: MikroORM | EntityManager,
  entity: EntityName<any>,
  event: ChainEventName,
  expected: readonly string[],
): readonly HookSummary[] {
  const chain = describeChain(ormOrEm, entity, event);
  if (!Array.isArray(expected) || expected.some(hook => typeof hook !== 'string')) throw invalidArgument('expectChain', 'expected', "a list of 'plugin.method' names", expected);
  const actual = chain.map(h => `${h.plugin}.${h.method}`);
  if (actual.length === expected.length && actual.every((hook, i) => hook === expected[i])) return chain;
  const em = 'em' in ormOrEm ? ormOrEm.em : ormOrEm;
  const shown = (hooks: readonly string[]) => (hooks.length === 0 ? '(no hooks)' : hooks.join(' -> '));
  const withPriorities = chain.map(h => `${h.plugin}.${h.method}(${h.priority})`);
  throw new AssertionError({
    message:
      `expectChain: the ${event} chain of ${metadataOf(em, entity).className} differs\n` +
      `  expected: ${shown(expected)}\n` +
      `  actual:   ${shown(withPriorities)}`,
    actual,
    expected: [...expected],
    operator: 'expectChain',
  });
}
