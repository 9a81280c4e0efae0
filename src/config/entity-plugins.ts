import type { EntitySchema } from '@mikro-orm/core';
import { invalidArgument } from '../errors.js';
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
  return <C extends Function>(cls: C, _context?: unknown): void => {
    if (typeof cls !== 'function') throw invalidArgument('@withPlugins()', 'class', 'an entity class it decorates', cls);
    addList(cls, list);
  };
}

/**
 * What `usePlugins` accepts: anything with an entity schema's `meta` (a `defineEntity` result or an `EntitySchema`).
 *
 * Deliberately not `EntitySchema<any, any>`: checking an argument against the generic class makes TypeScript
 * compare its type arguments, which forces the entity type that `defineEntity` is still inferring. With a
 * two-way relation (`books: () => p.oneToMany(Book)` / `author: () => p.manyToOne(Author)`) that is a cycle,
 * and `const Author = usePlugins(defineEntity({...}), [...])` failed with TS7022/TS2615. Checking `meta` only
 * leaves the inference to `defineEntity`, as without `usePlugins`.
 */
export type EntitySchemaLike = Pick<EntitySchema<any, any>, 'meta'>;

/**
 * The same for `defineEntity` / `EntitySchema` entities. Returns the schema unchanged, so it can wrap the definition,
 * `const User = usePlugins(defineEntity({...}), ['timestamp'])`, or stand as a statement after it,
 * `usePlugins(User, ['timestamp'])`. Both type-check with relations in both directions.
 */
export function usePlugins<S extends EntitySchemaLike>(schema: S, list: PluginList): S {
  addList(schemaClass('usePlugins', schema), list);
  return schema;
}

/** The class behind a `defineEntity` result or an `EntitySchema`; a typed error for anything else. */
export function schemaClass(fn: string, schema: unknown): Function {
  const cls = (schema as { meta?: { class?: unknown } } | null | undefined)?.meta?.class;
  if ((typeof schema !== 'object' && typeof schema !== 'function') || schema === null || typeof cls !== 'function') {
    throw invalidArgument(fn, 'schema', 'an entity schema (a defineEntity result or an EntitySchema)', schema);
  }
  return cls;
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
