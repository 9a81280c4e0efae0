import { AsyncLocalStorage } from 'node:async_hooks';
import { invalidArgument } from '../errors.js';
import type { EntityManager, FilterOptions } from '@mikro-orm/core';
import { builderClassFor, builderState, joinTarget, type Builder, type BuilderClass, type BuilderHooks } from './orm-internals/index.js';
import { pluginFiltersOf } from './query-filter.js';
import { pluginCondition } from './query-builder-filters.js';
import { builderError, fresh, QueryBuilderError, RECORDED, type Branded, type QueryBuilderOptions, type Recorded } from './query-builder-record.js';
import { combineWhere } from './query-builder-where.js';
import { withRelationFilters } from './query-builder-relations.js';
import { writeThroughPlugins } from './query-builder-writes.js';
import { isPromiseLike } from './sync-discovery.js';

export { QueryBuilderError, type QueryBuilderOptions } from './query-builder-record.js';

// `em.createQueryBuilder()` / `em.qb()` on the package's EntityManager return MikroORM's own builder,
// re-based on a subclass made once per builder class, which:
// - adds the plugins' query filters (never the application's own: MikroORM's builder applies those only
//   on `applyFilters()`) to the root, explicit joins and relations in where-conditions, synchronously,
//   so the SQL a builder renders is the SQL it runs;
// - runs `update()` / `delete()` through `em.nativeUpdate` / `em.nativeDelete`, so bulk hooks, the
//   soft-delete veto, timestamps and audit rows happen as there, when an active plugin is concerned.

/** countBy builds its query with `em.createQueryBuilder` after applying the filters itself: it gets a plain builder. */
const plainBuilders = new AsyncLocalStorage<true>();

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/** The EntityManager layer: builders made by this EntityManager are plugin builders. SQL drivers only. */
export function withPluginQueryBuilder<T extends EntityManagerClass>(Base: T): T {
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager & Record<string, any>;
  if (typeof Concrete.prototype.createQueryBuilder !== 'function') return Base;

  class PluginQueryBuilderManager extends Concrete {
    createQueryBuilder(entityName: unknown, alias?: string, type?: unknown, loggerContext?: unknown): unknown {
      const qb = super.createQueryBuilder(entityName, alias, type, loggerContext);
      return plainBuilders.getStore() ? qb : brand(qb, fresh());
    }

    override countBy(entityName: any, groupBy: any, options?: any): Promise<any> {
      return plainBuilders.run(true, () => super.countBy(entityName, groupBy, options));
    }
  }
  return PluginQueryBuilderManager as unknown as T;
}

/** Any MikroORM QueryBuilder, structurally. */
export interface AnyQueryBuilder {
  applyFilters(filters?: FilterOptions): Promise<void>;
}

/**
 * Sets what a builder from the package's EntityManager runs with (merged into what it had); returns it.
 * Filters must be chosen before the builder joins or filters on a relation, which is when they are applied.
 */
export function withQueryOptions<Q extends AnyQueryBuilder>(qb: Q, options: QueryBuilderOptions): Q {
  const recorded = recordOf(qb, 'withQueryOptions');
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('withQueryOptions', 'options', 'an object { filters, … }', options);
  if ('filters' in options && (recorded.filtered || recorded.filteredRelations)) {
    throw builderError(
      'MOP_QB_OPTIONS_LATE',
      qb as unknown as Builder,
      'its filter options were set after the plugin filters were applied (by a join, a relation in where(), rendering or applyFilters()): set them first, e.g. withDeleted(em.qb(Entity)).where(…)',
    );
  }
  recorded.options = { ...recorded.options, ...options };
  return qb;
}

/** The options a builder from the package's EntityManager runs with. */
export function queryOptionsOf(qb: AnyQueryBuilder): Readonly<QueryBuilderOptions> {
  return recordOf(qb).options;
}

function recordOf(qb: AnyQueryBuilder, fn = 'queryOptionsOf'): Recorded {
  if ((typeof qb !== 'object' && typeof qb !== 'function') || qb === null) throw invalidArgument(fn, 'qb', 'a QueryBuilder', qb);
  const recorded = (qb as Partial<Branded>)[RECORDED];
  if (!recorded) throw new QueryBuilderError('MOP_NOT_INSTALLED', 'This QueryBuilder was not made by an EntityManager with a plugin attached to some entity');
  return recorded;
}

/** Rendering and running both finalize: the root's plugin filters are added there, once. */
const HOOKS: BuilderHooks = {
  beforeFinalize(qb) {
    if (addRootFilters(qb as Branded)) {
      throw builderError('MOP_QB_ASYNC_FILTER', qb, 'has a plugin query filter that is asynchronous, so it cannot be rendered before it runs: `await qb.applyFilters()` first');
    }
  },
  joinCondition: (qb, field, cond, type) => joinCondition(qb as Branded, field, cond, type),
};

function brand<Q extends object>(qb: Q, recorded: Recorded): Q {
  const branded = builderClassFor(qb, HOOKS, pluginBuilderClass);
  (branded as unknown as Branded)[RECORDED] = recorded;
  return branded;
}

function pluginBuilderClass(Base: BuilderClass): BuilderClass {
  // Base is typed `any` (it is whichever builder class the driver made), so nothing here is marked `override`.
  class PluginQueryBuilder extends Base {
    declare [RECORDED]: Recorded;

    where(cond: unknown, params?: unknown, operator?: string): this {
      const recorded = this[RECORDED];
      recorded.where = combineWhere(recorded.where, cond, operator ?? (typeof params === 'string' ? params : undefined));
      recorded.whereDepth++;
      try {
        return super.where(withRelationFilters(this as unknown as Branded, recorded, cond), params, operator);
      } finally {
        recorded.whereDepth--;
      }
    }

    join(...args: unknown[]): this {
      if (this[RECORDED].whereDepth === 0) this[RECORDED].explicitJoin = true;
      return super.join(...args);
    }

    joinAndSelect(...args: unknown[]): this {
      if (this[RECORDED].whereDepth === 0) this[RECORDED].explicitJoin = true;
      return super.joinAndSelect(...args);
    }

    update(data: unknown): this {
      this[RECORDED].data = data;
      return super.update(data);
    }

    clone(reset?: unknown, preserve?: unknown): unknown {
      return brand(super.clone(reset, preserve), clonedRecord(this[RECORDED], reset));
    }

    /** MikroORM's applyFilters (every default filter, the application's too); the plugins' are not added twice. */
    async applyFilters(filters?: FilterOptions): Promise<void> {
      const recorded = this[RECORDED];
      const options = filters ?? recorded.options.filters ?? {};
      const skip = recorded.filtered && options !== false ? withoutPluginFilters(this as unknown as Branded, options) : options;
      recorded.filtered = true;
      await super.applyFilters(skip);
    }

    async execute(method?: string, options?: unknown): Promise<unknown> {
      const self = this as unknown as Branded;
      if (self.type === 'UPDATE' || self.type === 'DELETE') {
        const written = await writeThroughPlugins(self, self[RECORDED], method);
        if (written !== undefined) return written;
      } else if (!builderState(self).finalized) {
        await addRootFilters(self);
      }
      return super.execute(method, options);
    }

    async *stream(options?: unknown): AsyncIterableIterator<unknown> {
      if (!builderState(this).finalized) await addRootFilters(this as unknown as Branded);
      yield* super.stream(options);
    }
  }
  return PluginQueryBuilder;
}

/** What a clone carries over: everything, unless MikroORM resets the parts it describes. */
function clonedRecord(recorded: Recorded, reset: unknown): Recorded {
  if (reset === true) return fresh(recorded.options);
  const copy = { ...recorded, whereDepth: 0 };
  if (Array.isArray(reset)) {
    if (reset.includes('cond')) Object.assign(copy, { where: undefined, filtered: false });
    if (reset.includes('joins')) copy.explicitJoin = false;
    if (reset.includes('data')) copy.data = undefined;
  }
  return copy;
}

/** A read's root gets its plugin filters; a promise only when some plugin filter is asynchronous. */
function addRootFilters(qb: Branded): void | Promise<void> {
  const recorded = qb[RECORDED];
  if (recorded.filtered || (qb.type !== 'SELECT' && qb.type !== 'COUNT')) return;
  const meta = qb.mainAlias.meta;
  const cond = meta && qb.em ? pluginCondition(qb.em, meta, recorded.options.filters) : undefined;
  recorded.filtered = true;
  if (isPromiseLike(cond)) {
    recorded.filtered = false;
    return Promise.resolve(cond).then(resolved => {
      recorded.filtered = true;
      if (resolved) qb.andWhere(resolved);
    });
  }
  if (cond) qb.andWhere(cond);
}

/** An explicit join's condition with the target's plugin filters beside the caller's own. */
function joinCondition(qb: Branded, field: unknown, cond: unknown, type: string): unknown {
  if (typeof field !== 'string' || type === 'pivot join' || !qb.em) return cond;
  const target = joinTarget(qb, field);
  if (!target) return cond;
  const recorded = qb[RECORDED];
  const filter = pluginCondition(qb.em, target, recorded.options.filters);
  if (isPromiseLike(filter)) {
    throw builderError('MOP_QB_ASYNC_FILTER', qb, `joins ${target.className}, whose plugin query filter is asynchronous and cannot be added to a join; join it with withQueryOptions(qb, { filters: false }) and filter it yourself`);
  }
  if (!filter) return cond;
  recorded.filteredRelations = true;
  const given = cond as Record<string, unknown> | undefined;
  return given == null || Reflect.ownKeys(given).length === 0 ? filter : { $and: [given, filter] };
}

/** The filter options with every plugin filter of the root switched off (they are in the condition already). */
function withoutPluginFilters(qb: Branded, filters: FilterOptions): FilterOptions {
  const meta = qb.mainAlias.meta;
  if (!meta) return filters;
  const off = Object.fromEntries(pluginFiltersOf(meta, undefined).map(({ def }) => [def.name, false]));
  if (Array.isArray(filters)) return { ...Object.fromEntries(filters.map(name => [name, true])), ...off };
  return { ...(typeof filters === 'object' ? filters : {}), ...off };
}

