import { HookOrderError, PluginConfigError } from '../errors.js';
import { BULK_EVENTS, COMPOSITE_EVENTS, type DispatchedEvent, type HookKind } from '../events.js';
import type { HookDefinition, Plugin } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import { secretValues } from '../registry/option-fields.js';
import type { AroundContext, BatchLinkFunction, Chain, ChainLink, ChainRunner, LinkFunction } from './chain.js';
import { compileChain } from './compile-chain.js';
import { runAround, runFrom, runValues } from './dispatch.js';
import { orderHooks, type OrderNode } from './order-hooks.js';

/** A plugin in one entity's chains, with its instance, options and the hooks that run for that entity. */
export interface AttachedPlugin {
  readonly definition: PluginDefinition;
  readonly instance: Plugin;
  /** Undefined for a plugin whose read hooks reach an entity it is not attached to (`appliesTo`). */
  readonly options: unknown;
  /** Its hooks that run for this entity: all of them where it is attached, else the read hooks that reach it. */
  readonly hooks: readonly HookDefinition[];
  /** Position in the registry: the last tie-breaker. */
  readonly rank: number;
}

/** The chains of one entity. Fixed fields for the built-in events keep lookups monomorphic. */
export interface EntityChains {
  readonly beforeCreate: Chain<false> | null;
  readonly afterCreate: Chain<false> | null;
  readonly beforeUpdate: Chain<false> | null;
  readonly afterUpdate: Chain<false> | null;
  readonly beforeDelete: Chain<true> | null;
  readonly afterDelete: Chain<false> | null;
  readonly afterChange: Chain<false> | null;
  readonly afterCommit: Chain<false> | null;
  readonly afterLoad: Chain<false> | null;
  readonly beforeUpsert: Chain<false> | null;
  readonly beforeBulkUpdate: Chain<false> | null;
  readonly afterBulkUpdate: Chain<false> | null;
  readonly beforeBulkDelete: Chain<true> | null;
  readonly afterBulkDelete: Chain<false> | null;
  readonly afterBulkInsert: Chain<false> | null;
  readonly afterBulkUpsert: Chain<false> | null;
  readonly readOptions: Chain<false> | null;
  readonly interceptFindOne: Chain<false> | null;
  readonly afterJoinsPlanned: Chain<false> | null;
  readonly joinedFilters: Chain<false> | null;
  /** `queryFilter` chains by plugin: each plugin's hooks are one MikroORM filter, lifted by name (`filters: { softDelete: false }`). */
  readonly queryFilters: ReadonlyMap<string, Chain<false>>;
  readonly custom: ReadonlyMap<string, Chain<false>>;
}

/** What the chain builder asks of the registry. */
export interface ChainScope {
  /** Tells a stale order constraint from a typo. */
  isRegistered(plugin: string): boolean;
  /** The kind of an event: built in, or as its plugin declared it. */
  kindOf(event: string): HookKind;
}

interface Candidate extends OrderNode {
  readonly link: ChainLink;
}

/** Builds every chain of an entity, once. */
export function buildEntityChains(entity: string, plugins: readonly AttachedPlugin[], scope: ChainScope): EntityChains {
  const events = new Set<string>();
  for (const { definition, hooks } of plugins) {
    for (const def of hooks) {
      checkConstraints(entity, definition, def, scope);
      for (const event of COMPOSITE_EVENTS[def.event] ?? [def.event]) events.add(event);
    }
  }
  const build = <V extends boolean>(event: string) => (events.has(event) ? buildChain<V>(entity, event as DispatchedEvent, plugins, scope) : null);
  const custom = new Map<string, Chain<false>>();
  for (const event of events) if (!BUILT_IN_CHAINS.has(event) && event !== 'queryFilter') custom.set(event, buildChain<false>(entity, event as DispatchedEvent, plugins, scope)!);
  return Object.freeze({
    beforeCreate: build<false>('beforeCreate'),
    afterCreate: build<false>('afterCreate'),
    beforeUpdate: build<false>('beforeUpdate'),
    afterUpdate: build<false>('afterUpdate'),
    beforeDelete: build<true>('beforeDelete'),
    afterDelete: build<false>('afterDelete'),
    afterChange: build<false>('afterChange'),
    afterCommit: build<false>('afterCommit'),
    afterLoad: build<false>('afterLoad'),
    beforeUpsert: build<false>('beforeUpsert'),
    beforeBulkUpdate: build<false>('beforeBulkUpdate'),
    afterBulkUpdate: build<false>('afterBulkUpdate'),
    beforeBulkDelete: build<true>('beforeBulkDelete'),
    afterBulkDelete: build<false>('afterBulkDelete'),
    afterBulkInsert: build<false>('afterBulkInsert'),
    afterBulkUpsert: build<false>('afterBulkUpsert'),
    readOptions: build<false>('readOptions'),
    interceptFindOne: build<false>('interceptFindOne'),
    afterJoinsPlanned: build<false>('afterJoinsPlanned'),
    joinedFilters: build<false>('joinedFilters'),
    queryFilters: filterChains(entity, plugins, scope),
    custom,
  });
}

export type BuiltInChainName = Exclude<keyof EntityChains, 'custom' | 'queryFilters'>;

function filterChains(entity: string, plugins: readonly AttachedPlugin[], scope: ChainScope): ReadonlyMap<string, Chain<false>> {
  const chains = new Map<string, Chain<false>>();
  for (const plugin of plugins) {
    const chain = buildChain<false>(entity, 'queryFilter', [plugin], scope);
    if (chain !== null) chains.set(plugin.definition.name, chain);
  }
  return chains;
}

export const BUILT_IN_CHAINS: ReadonlySet<string> = new Set<string>([
  'beforeCreate',
  'afterCreate',
  'beforeUpdate',
  'afterUpdate',
  'beforeDelete',
  'afterDelete',
  'afterChange',
  'afterCommit',
  'afterLoad',
  'beforeUpsert',
  ...BULK_EVENTS,
  'readOptions',
  'interceptFindOne',
  'afterJoinsPlanned',
  'joinedFilters',
]);

function buildChain<V extends boolean>(entity: string, event: DispatchedEvent, plugins: readonly AttachedPlugin[], scope: ChainScope): Chain<V> | null {
  const kind = scope.kindOf(event);
  const custom = !BUILT_IN_CHAINS.has(event) && event !== 'queryFilter';
  const adapt = BULK_EVENTS.has(event) ? spreadBulkPayload : custom && kind === 'waterfall' ? valueSecond : undefined;
  const candidates: Candidate[] = [];
  for (const { definition, instance, options, hooks, rank } of plugins) {
    const methods = new Set<string | symbol>();
    const secrets = secretValues(definition.options, options);
    hooks.forEach((def, index) => {
      const targets = COMPOSITE_EVENTS[def.event] ?? [def.event];
      if (!targets.includes(event) || methods.has(def.method)) return;
      methods.add(def.method);
      const method = (instance as Record<string | symbol, Function>)[def.method]!;
      candidates.push({
        plugin: definition.name,
        priority: def.priority,
        sequence: rank * 1000 + index,
        before: [...definition.before, ...def.before],
        after: [...definition.after, ...def.after],
        link: Object.freeze({
          plugin: definition.name,
          method: String(def.method),
          declaredOn: def.event,
          priority: def.priority,
          options,
          secrets,
          instance,
          fn: def.batch ? (event === 'afterChange' ? oneChange(method) : oneEntity(method)) : adapt ? adapt(method) : (method as LinkFunction),
          batch: def.batch ? (method as BatchLinkFunction) : undefined,
        }),
      });
    });
  }
  if (candidates.length === 0) return null;
  const result = orderHooks(candidates);
  if (!result.ok) throw new HookOrderError(entity, event, result.cycle);
  const chain = {
    event,
    kind,
    veto: (kind === 'veto') as V,
    withPayload: event === 'afterChange' || event === 'afterCommit' || BULK_EVENTS.has(event) || custom,
    entity,
    // The links are frozen, the array is not: V8 reads elements of frozen arrays several times slower.
    links: result.order.map(c => c.link),
    batchOnly: result.order.every(c => c.link.batch !== undefined),
  };
  const [run, runSkipping] = runnersOf(chain as unknown as Chain);
  return Object.freeze({ ...chain, run, runSkipping });
}

/** The dispatcher's entry points for a chain, by kind; only sequential and veto chains are compiled. */
function runnersOf(chain: Chain): [ChainRunner, ChainRunner] {
  switch (chain.kind) {
    case 'waterfall': {
      const run: ChainRunner = (c, s, a) => runValues(chain, c, s, a);
      return [run, run];
    }
    case 'collect': {
      // Collect hooks (`queryFilter`) take only the context.
      const run: ChainRunner = c => runValues(chain, c, c, undefined, []);
      return [run, run];
    }
    case 'around': {
      const run: ChainRunner = c => runAround(chain, c as AroundContext);
      return [run, run];
    }
    default:
      return [compileChain(chain), (c, s, a) => runFrom(chain, c, s, a, 0)];
  }
}

/** What the bulk dispatch passes as the payload; the hook itself gets `(entityName, where, data, ctx)`. */
export interface BulkPayload {
  readonly where: unknown;
  readonly data: Record<string, unknown>;
}

/**
 * Bulk hooks take two arguments between the subject and the context. The dispatcher (and its compiled
 * code) keeps calling `fn(subject, payload, ctx)`; this adapter spreads the payload, so neither changes.
 */
function spreadBulkPayload(method: Function): LinkFunction {
  return function bulkHook(this: unknown, entityName: unknown, payload: unknown, ctx) {
    const { where, data } = payload as BulkPayload;
    return method.call(this, entityName, where, data, ctx);
  };
}

/** A batch hook in a per-entity dispatch: called with a one-entity list. */
function oneEntity(method: Function): LinkFunction {
  return function batchHook(this: unknown, entity: unknown, ctx) {
    return method.call(this, [entity], ctx);
  };
}

/** A batch `afterChange` hook in a per-entity dispatch: one entity and its changes, as one-item lists. */
function oneChange(method: Function): LinkFunction {
  return function batchChangeHook(this: unknown, entity: unknown, changes: unknown, ctx) {
    return method.call(this, [entity], [changes], ctx);
  };
}

/**
 * A custom waterfall hook is `(entity, value, ctx)`, but the value is what the waterfall threads as
 * its subject: the dispatcher calls `fn(value, entity, ctx)`, and this puts the entity first again.
 */
function valueSecond(method: Function): LinkFunction {
  return function waterfallHook(this: unknown, value: unknown, entity: unknown, ctx) {
    return method.call(this, entity, value, ctx);
  };
}

function checkConstraints(entity: string, definition: PluginDefinition, def: HookDefinition, scope: ChainScope): void {
  for (const name of [...definition.before, ...definition.after, ...def.before, ...def.after]) {
    if (scope.isRegistered(name)) continue;
    throw new PluginConfigError(
      'MOP_UNKNOWN_PLUGIN',
      `Entity '${entity}': hook ${definition.name}.${String(def.method)} (${def.event}) is ordered against '${name}', which is not a registered plugin`,
      { entity, plugin: definition.name, hook: String(def.method) },
    );
  }
}
