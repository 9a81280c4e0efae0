import type { EntityManager, EntityMetadata, FilterDef, FilterOptions } from '@mikro-orm/core';
import { tagError } from '../chain/dispatch.js';
import type { QueryFilterContext } from '../events.js';
import type { Plugin } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import { isPromiseLike } from './sync-discovery.js';

type FilterHook = (ctx: QueryFilterContext) => unknown;
type Condition = Record<string, unknown>;

/** What a plugin filter needs of the runtime: whether the plugin acts for an entity now. */
export interface FilterActivity {
  isActive(plugin: string, entity?: string): boolean;
}

/** A plugin's query filter: MikroORM's FilterDef, evaluated synchronously unless a hook is async. */
export interface PluginFilterDef extends FilterDef {
  cond(args: Record<string, unknown> | undefined, type: 'read' | 'update' | 'delete', em: EntityManager, findOptions?: unknown, entityName?: string): Condition | Promise<Condition>;
}

const PLUGIN_FILTER = Symbol('mikro-orm-plugins:filter');

/**
 * A plugin's `queryFilter` hooks become one MikroORM filter named after the plugin, so
 * `filters: { softDelete: false }` lifts it per call and MikroORM applies it to reads,
 * populates, collections and native updates/deletes alike.
 */
export function queryFilterFor(runtime: FilterActivity, definition: PluginDefinition, instance: Plugin, options: unknown, meta: EntityMetadata): PluginFilterDef {
  const name = definition.name;
  const hooks = definition.hooks
    .filter(h => h.event === 'queryFilter')
    .sort((a, b) => a.priority - b.priority)
    .map(h => ({
      link: { plugin: name, method: String(h.method), declaredOn: 'queryFilter' },
      fn: ((instance as Record<string | symbol, Function>)[h.method] as FilterHook).bind(instance),
    }));
  return {
    name,
    default: true,
    args: false,
    [PLUGIN_FILTER]: true,
    cond(args, type, em) {
      // The entity the filter was made for: MikroORM passes a class name, which differs from the entity name under setClass.
      if (!runtime.isActive(name, meta.className)) return {};
      const ctx: QueryFilterContext = { plugin: name, options, em, meta, args, type };
      const conditions: object[] = [];
      const from = (index: number): Condition | Promise<Condition> => {
        for (let i = index; i < hooks.length; i++) {
          const { link, fn } = hooks[i]!;
          let condition: unknown;
          try {
            condition = fn(ctx);
          } catch (error) {
            throw tagError(error, link, meta.className);
          }
          if (isPromiseLike(condition)) {
            return Promise.resolve(condition).then(
              resolved => (keepCondition(conditions, resolved), from(i + 1)),
              error => Promise.reject(tagError(error, link, meta.className)),
            );
          }
          keepCondition(conditions, condition);
        }
        return (allOf(conditions) ?? {}) as Condition;
      };
      return from(0);
    },
  } as PluginFilterDef;
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
