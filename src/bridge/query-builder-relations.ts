import { ReferenceKind, Utils, type EntityMetadata } from '@mikro-orm/core';
import type { Builder } from './orm-internals/index.js';
import { pluginCondition } from './query-builder-filters.js';
import { builderError, type Recorded } from './query-builder-record.js';
import { isPromiseLike } from './sync-discovery.js';

type Cond = Record<string | symbol, unknown>;

/**
 * A read's where-condition with the plugin filters of every relation it reaches into (a join), as
 * `{ owner: { name: 'x' } }` becomes `{ owner: { name: 'x', deletedAt: null } }`. A condition on the
 * relation's key alone (`{ owner: 5 }`, `{ owner: { $in: […] } }`) joins nothing and is left as it is.
 */
export function withRelationFilters(qb: Builder, recorded: Recorded, cond: unknown): unknown {
  const meta = qb.mainAlias.meta;
  if (!meta || !qb.em || (qb.type !== 'SELECT' && qb.type !== 'COUNT') || !Utils.isPlainObject(cond)) return cond;
  const walk = new RelationWalk(qb, recorded);
  return walk.condition(meta, cond as Cond, `${qb.alias}.`);
}

class RelationWalk {
  constructor(
    private readonly qb: Builder,
    private readonly recorded: Recorded,
  ) {}

  condition(meta: EntityMetadata, cond: Cond, prefix?: string): Cond {
    let out: Cond | undefined;
    for (const key of Reflect.ownKeys(cond)) {
      const value = cond[key];
      const next = typeof key === 'symbol' ? value : this.entry(meta, prefix && key.startsWith(prefix) ? key.slice(prefix.length) : key, value, prefix);
      if (next !== value) (out ??= { ...cond })[key] = next;
    }
    return out ?? cond;
  }

  private entry(meta: EntityMetadata, key: string, value: unknown, prefix: string | undefined): unknown {
    if (key === '$and' || key === '$or') return Array.isArray(value) ? this.each(meta, value, prefix) : value;
    if (key === '$not') return Utils.isPlainObject(value) ? this.condition(meta, value as Cond, prefix) : value;
    const prop = meta.properties[key as never] as { kind: ReferenceKind; targetMeta?: EntityMetadata } | undefined;
    if (!prop?.targetMeta || prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED || !Utils.isPlainObject(value)) return value;
    return this.relation(prop.targetMeta, value as Cond);
  }

  private each(meta: EntityMetadata, list: unknown[], prefix: string | undefined): unknown[] {
    let changed = false;
    const out = list.map(item => {
      const next = Utils.isPlainObject(item) ? this.condition(meta, item as Cond, prefix) : item;
      changed ||= next !== item;
      return next;
    });
    return changed ? out : list;
  }

  /** A condition inside a relation: its own relations first, then the target's filters if it joins. */
  private relation(target: EntityMetadata, value: Cond): Cond {
    let inner = this.condition(target, value);
    for (const op of ['$some', '$none'] as const) {
      if (Utils.isPlainObject(inner[op])) inner = { ...inner, [op]: this.withFilter(target, inner[op] as Cond) };
    }
    return joins(target, inner) ? this.withFilter(target, inner) : inner;
  }

  private withFilter(target: EntityMetadata, cond: Cond): Cond {
    const filter = pluginCondition(this.qb.em!, target, this.recorded.options.filters);
    if (isPromiseLike(filter)) {
      throw builderError('MOP_QB_ASYNC_FILTER', this.qb, `filters on ${target.className}, whose plugin query filter is asynchronous and cannot be added to a where-condition`);
    }
    if (!filter) return cond;
    this.recorded.filteredRelations = true;
    const keys = Reflect.ownKeys(filter);
    return keys.some(key => key in cond) ? { $and: [cond, filter] } : { ...cond, ...filter };
  }
}

/** Whether a condition on a relation names one of the target's properties other than its primary key (MikroORM joins then). */
function joins(target: EntityMetadata, cond: Cond): boolean {
  return Object.keys(cond).some(key => !key.startsWith('$') && key in target.properties && !target.primaryKeys.includes(key as never));
}
