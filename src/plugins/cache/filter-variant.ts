import { ReferenceKind, Utils, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { filterConditions } from '../../core.js';

type AnyOptions = Record<string, any>;

/**
 * The query filters that would apply to the read, resolved with their parameters, as a stable key (handed to `next`):
 * entries read under other filters (another tenant, soft-deleted rows visible) are different entries.
 * Undefined (skip the cache) when a filter resolves to something that cannot be keyed faithfully,
 * or when a to-one relation's target is filtered: MikroORM then joins it, so whether the row is
 * visible depends on another row, whose writes do not drop this entry.
 *
 * Resolved on every read, not memoized: filters added with `em.addFilter` are private to the em,
 * and a filter's condition may read anything (an AsyncLocalStorage tenant), so only MikroORM's own
 * resolution is sure to match what a database read would apply.
 */
export function filterVariant<R>(em: EntityManager, meta: EntityMetadata, options: AnyOptions, next: (variant: string | undefined) => R | Promise<R>): Promise<R> {
  const filters = options.filters ?? {};
  const own = filterConditions(em, meta.class, filters, options);
  const targets = joinedTargets(em, meta);
  // `next` runs in the same reaction as the resolution: a cache hit waits for one promise here, not two.
  if (targets.length === 0) return own.then(cond => next(keyOf(cond)));
  return Promise.all([own, ...targets.map(target => filterConditions(em, target, filters, options))]).then(([cond, ...joined]) =>
    next(joined.some(c => c && (Object.keys(c).length > 0 || Object.getOwnPropertySymbols(c).length > 0)) ? undefined : keyOf(cond)),
  );
}

/** Targets of the to-one relations MikroORM joins to apply their filters (none when filters do not reach relations). */
const targetsByMeta = new WeakMap<EntityMetadata, readonly EntityMetadata['class'][]>();

function joinedTargets(em: EntityManager, meta: EntityMetadata): readonly EntityMetadata['class'][] {
  if (!em.config.get('filtersOnRelations') || !em.config.get('autoJoinRefsForFilters')) return [];
  let targets = targetsByMeta.get(meta);
  if (!targets) {
    targets = meta.relations
      .filter(prop => (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) && prop.targetMeta)
      .map(prop => prop.targetMeta!.class);
    targetsByMeta.set(meta, targets);
  }
  return targets;
}

/** The key of a resolved condition; `{}` (no filter applies) without walking it. */
function keyOf(cond: unknown): string | undefined {
  if (cond === undefined || cond === null) return '{}';
  if (Utils.isPlainObject(cond) && Object.keys(cond).length === 0 && Object.getOwnPropertySymbols(cond).length === 0) return '{}';
  return stableKey(cond);
}

function stableKey(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `D${value.getTime()}`;
  if (Array.isArray(value)) {
    const parts = value.map(stableKey);
    return parts.includes(undefined) ? undefined : `[${parts.join(',')}]`;
  }
  if (Utils.isPlainObject(value)) {
    if (Object.getOwnPropertySymbols(value).length > 0) return undefined; // raw SQL fragments
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const part = stableKey((value as Record<string, unknown>)[key]);
      if (part === undefined) return undefined;
      parts.push(`${JSON.stringify(key)}:${part}`);
    }
    return `{${parts.join(',')}}`;
  }
  return undefined; // raw fragments, class instances, functions
}
