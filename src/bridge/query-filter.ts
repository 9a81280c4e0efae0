import type { EntityManager, FilterDef } from '@mikro-orm/core';
import { tagError } from '../chain/dispatch.js';
import type { QueryFilterContext } from '../events.js';
import type { Plugin } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import type { PluginRuntime } from './plugin-runtime.js';

type FilterHook = (ctx: QueryFilterContext) => unknown;

/**
 * A plugin's `queryFilter` hooks become one MikroORM filter named after the plugin, so
 * `filters: { softDelete: false }` lifts it per call and MikroORM applies it to reads,
 * populates, collections and native updates/deletes alike.
 */
export function queryFilterFor(runtime: PluginRuntime, definition: PluginDefinition, instance: Plugin, options: unknown): FilterDef {
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
    async cond(args: Record<string, unknown> | undefined, type: 'read' | 'update' | 'delete', em: EntityManager, _find: unknown, entityName?: string) {
      // With the entity, so a plugin switched off for this entity in the stored state lifts its filter (operations issue).
      if (!runtime.isActive(name, entityName)) return {};
      const meta = em.getMetadata().getByClassName(entityName!);
      const ctx: QueryFilterContext = { plugin: name, options, em, meta, args, type };
      const conditions: object[] = [];
      for (const { link, fn } of hooks) {
        let condition: unknown;
        try {
          condition = await fn(ctx);
        } catch (error) {
          throw tagError(error, link, meta.className);
        }
        if (condition && Object.keys(condition).length > 0) conditions.push(condition as object);
      }
      return conditions.length <= 1 ? (conditions[0] ?? {}) : { $and: conditions };
    },
  } as FilterDef;
}
