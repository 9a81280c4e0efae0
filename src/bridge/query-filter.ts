import type { EntityManager, EntityMetadata, FilterDef, FilterOptions } from '@mikro-orm/core';
import type { EntityChains } from '../chain/build-chains.js';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { QueryFilterContext } from '../events.js';
import { isPromiseLike } from './sync-discovery.js';
import { switchedOffPlugins } from './scope.js';

type Condition = Record<string, unknown>;

/** What a plugin filter needs of the runtime: the entity's chains as they are now. */
export interface FilterChains {
  chainsOf(meta: EntityMetadata): EntityChains | undefined;
}

/** A plugin's query filter: MikroORM's FilterDef, evaluated synchronously unless a hook is async. */
export interface PluginFilterDef extends FilterDef {
  cond(args: Record<string, unknown> | undefined, type: 'read' | 'update' | 'delete', em: EntityManager, findOptions?: unknown, entityName?: string): Condition | Promise<Condition>;
}

const PLUGIN_FILTER = Symbol('mikro-orm-plugins:filter');

class FilterContext extends DispatchContext implements QueryFilterContext {
  constructor(
    em: EntityManager,
    meta: EntityMetadata,
    readonly args: Record<string, unknown> | undefined,
    readonly type: 'read' | 'update' | 'delete',
  ) {
    super('queryFilter', em, meta, undefined, switchedOffPlugins());
  }
}

/**
 * A plugin's `queryFilter` hooks become one MikroORM filter named after the plugin, so
 * `filters: { softDelete: false }` lifts it per call and MikroORM applies it to reads,
 * populates, collections and native updates/deletes alike. The hooks run as the plugin's
 * `queryFilter` chain of the entity (a `collect` chain): stored priorities and switches apply.
 */
export function queryFilterFor(runtime: FilterChains, plugin: string, meta: EntityMetadata): PluginFilterDef {
  return {
    name: plugin,
    default: true,
    args: false,
    [PLUGIN_FILTER]: true,
    cond(args, type, em) {
      // The entity the filter was made for: MikroORM passes a class name, which differs from the entity name under setClass.
      const chain = runtime.chainsOf(meta)?.queryFilters.get(plugin);
      if (chain === undefined) return {};
      const found = dispatch(chain, new FilterContext(em, meta, args, type), undefined) as unknown[] | Promise<unknown[]>;
      return isPromiseLike(found) ? Promise.resolve(found).then(combined) : combined(found);
    },
  } as PluginFilterDef;
}

function combined(found: readonly unknown[]): Condition {
  const conditions: object[] = [];
  for (const condition of found) keepCondition(conditions, condition);
  return (allOf(conditions) ?? {}) as Condition;
}

/** Collects a filter condition that says something (raw() fragments are symbol keys). */
export function keepCondition(conditions: object[], condition: unknown): void {
  if (condition && typeof condition === 'object' && Reflect.ownKeys(condition).length > 0) conditions.push(condition);
}

/** The conditions as one: undefined for none, `$and` for several. */
export function allOf(conditions: readonly object[]): object | undefined {
  return conditions.length <= 1 ? conditions[0] : { $and: conditions };
}

/** The plugin filters of an entity that `filters` (find options) leaves on, with their per-call args. */
export function pluginFiltersOf(meta: EntityMetadata, filters: FilterOptions | undefined): { def: PluginFilterDef; args: Record<string, unknown> | undefined }[] {
  if (filters === false) return [];
  const out: { def: PluginFilterDef; args: Record<string, unknown> | undefined }[] = [];
  for (const def of Object.values(meta.filters ?? {})) {
    if (!(def as unknown as Record<symbol, unknown>)[PLUGIN_FILTER]) continue;
    const given = filters && !Array.isArray(filters) && typeof filters === 'object' ? (filters as Record<string, unknown>)[def.name] : undefined;
    if (given === false) continue;
    out.push({ def: def as PluginFilterDef, args: given && typeof given === 'object' ? (given as Record<string, unknown>) : undefined });
  }
  return out;
}
