import type { EntitySchema } from '@mikro-orm/core';
import type { PluginList } from '../plugin-api.js';
import { classLineage } from '../registry/decorator-mode.js';

const listsByClass = new WeakMap<Function, PluginList[]>();

function addList(cls: Function, list: PluginList): void {
  listsByClass.set(cls, [...(listsByClass.get(cls) ?? []), list]);
}

/**
 * Names an entity's plugins: `@withPlugins(['timestamp', { softDelete: { field: 'removedAt' } }])`.
 * Works under `experimentalDecorators` and with standard decorators.
 */
export function withPlugins(list: PluginList) {
  return <C extends Function>(cls: C, _context?: unknown): void => addList(cls, list);
}

/** The same for `defineEntity` / `EntitySchema` entities: `usePlugins(User, ['timestamp'])`. Returns the schema. */
export function usePlugins<S extends EntitySchema<any, any>>(schema: S, list: PluginList): S {
  addList(schema.meta.class as Function, list);
  return schema;
}

/** Every list an entity class declares, base class first: `@withPlugins`, `usePlugins` and a static `plugins` property. */
export function declaredPluginLists(cls: Function | undefined): PluginList[] {
  if (!cls) return [];
  const lists: PluginList[] = [];
  for (const c of classLineage(cls)) {
    if (Object.hasOwn(c, 'plugins')) lists.push((c as unknown as { plugins: PluginList }).plugins);
    lists.push(...(listsByClass.get(c) ?? []));
  }
  return lists;
}
