import { AsyncLocalStorage } from 'node:async_hooks';
import { Utils, type EntityManager, type EntityMetadata, type FilterOptions } from '@mikro-orm/core';
import type { Chain } from '../chain/chain.js';
import { PluginError, type PluginErrorCode } from '../errors.js';
import { findRuntime } from './extension.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { combineWhere, unaliased, type GivenWhere } from './query-builder-where.js';

// `em.createQueryBuilder()` / `em.qb()` on the package's EntityManager return MikroORM's own builder
// (MariaDB's subclass on MariaDB), re-based on a subclass made once per builder class, which:
// - applies the active filters (root, joins, where-joins) before a read first runs, as em.find would;
// - runs `update()` / `delete()` through `em.nativeUpdate` / `em.nativeDelete`, so bulk hooks, the
//   soft-delete veto, timestamps and audit rows happen as there, when an active plugin is concerned.

/** A QueryBuilder write the plugins must see uses what `nativeUpdate`/`nativeDelete` cannot express, or a builder was rendered before its filters were applied. */
export class QueryBuilderError extends PluginError {
  override name = 'QueryBuilderError';
}

/** What a builder runs with, set by `withQueryOptions(qb, …)` (and `withDeleted(qb)`, `onlyDeleted(qb)`). */
export interface QueryBuilderOptions {
  /** Filter options, as on `em.find`: `false` for none, `{ softDelete: false }` for deleted rows too. */
  filters?: FilterOptions;
  /** `delete()`: delete the rows for real even when a `beforeBulkDelete` hook (soft delete) vetoes. */
  hard?: boolean;
}

/** The parts of MikroORM's QueryBuilder used here, typed locally so the package needs no `@mikro-orm/sql` types. */
interface JoinState {
  readonly path?: string;
  readonly type: string;
  readonly prop?: { readonly targetMeta?: EntityMetadata };
}
interface BuilderState {
  readonly finalized: boolean;
  readonly joins: Readonly<Record<string, JoinState>>;
  readonly schema?: string;
  readonly limit?: number;
  readonly offset?: number;
  readonly orderBy: readonly unknown[];
  readonly groupBy: readonly unknown[];
  readonly having: object;
  readonly returning?: unknown;
  readonly ctes: readonly unknown[];
  readonly lockMode?: unknown;
  readonly indexHint?: string;
  readonly unionQuery?: unknown;
  readonly subQueries: object;
}
interface Builder {
  readonly em?: EntityManager;
  readonly type: string;
  readonly alias: string;
  readonly mainAlias: { readonly meta?: EntityMetadata };
  readonly state: BuilderState;
  scheduleFilterCheck(path: string): void;
  applyJoinedFilters(em: EntityManager, filters: FilterOptions | undefined): Promise<void>;
}
type BuilderClass = new (...args: any[]) => any;

/** Per builder: its options and what it recorded of the write it describes. */
interface Recorded {
  options: QueryBuilderOptions;
  /** The filters were applied (reads): once per builder, clones included. */
  filtered: boolean;
  /** The where-condition as given to where/andWhere/orWhere/delete, combined as MikroORM combines them. */
  where: GivenWhere;
  data: unknown;
  explicitJoin: boolean;
  /** Inside `where()`: joins made then come from the condition, not from the user. */
  whereDepth: number;
}
const RECORDED = Symbol('mikro-orm-plugins:query-builder');
type Branded = Builder & { [RECORDED]: Recorded };

const fresh = (options: QueryBuilderOptions = {}): Recorded => ({
  options,
  filtered: false,
  where: undefined,
  data: undefined,
  explicitJoin: false,
  whereDepth: 0,
});

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

/** Sets what a builder from the package's EntityManager runs with (merged into what it had); returns it. */
export function withQueryOptions<Q extends AnyQueryBuilder>(qb: Q, options: QueryBuilderOptions): Q {
  const recorded = recordOf(qb);
  recorded.options = { ...recorded.options, ...options };
  return qb;
}

/** The options a builder from the package's EntityManager runs with. */
export function queryOptionsOf(qb: AnyQueryBuilder): Readonly<QueryBuilderOptions> {
  return recordOf(qb).options;
}

function recordOf(qb: AnyQueryBuilder): Recorded {
  const recorded = (qb as Partial<Branded>)[RECORDED];
  if (!recorded) throw new QueryBuilderError('MOP_NOT_INSTALLED', 'This QueryBuilder was not made by an EntityManager with pluginSystem() installed');
  return recorded;
}

const subclasses = new WeakMap<BuilderClass, BuilderClass>();

function brand<Q extends object>(qb: Q, recorded: Recorded): Q {
  const Base = (qb as object).constructor as BuilderClass;
  let Plugin = subclasses.get(Base);
  if (!Plugin) {
    Plugin = pluginBuilderClass(Base);
    subclasses.set(Base, Plugin);
  }
  // The builder keeps its own (private) state; only its methods change.
  Object.setPrototypeOf(qb, Plugin.prototype);
  (qb as unknown as Branded)[RECORDED] = recorded;
  return qb;
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
        return super.where(cond, params, operator);
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

    /** Filters with these options (or the builder's) now, so the query may be rendered before it runs. */
    async applyFilters(filters?: FilterOptions): Promise<void> {
      await applyReadFilters(this as unknown as Branded, filters, options => super.applyFilters(options));
    }

    async execute(method?: string, options?: unknown): Promise<unknown> {
      const self = this as unknown as Branded;
      if (self.type === 'UPDATE' || self.type === 'DELETE') {
        const written = await writeThroughPlugins(self, method);
        if (written !== undefined) return written;
      } else if (self.type === 'SELECT' || self.type === 'COUNT') {
        await applyReadFilters(self, undefined, filters => super.applyFilters(filters));
      }
      return super.execute(method, options);
    }

    async *stream(options?: unknown): AsyncIterableIterator<unknown> {
      await applyReadFilters(this as unknown as Branded, undefined, filters => super.applyFilters(filters));
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

async function applyReadFilters(qb: Branded, given: FilterOptions | undefined, applyRoot: (filters: FilterOptions) => Promise<void>): Promise<void> {
  const recorded = qb[RECORDED];
  if (recorded.filtered) return;
  if (qb.state.finalized) {
    throw builderError('MOP_QB_RENDERED', qb, 'was rendered (getQuery, getFormattedQuery, getNativeQuery…) before its filters were applied: call `await qb.applyFilters()` first');
  }
  recorded.filtered = true;
  const filters = given ?? recorded.options.filters ?? {};
  if (filters === false || !qb.em) return;
  await applyRoot(filters);
  // Explicit joins get the filter in their ON clause; joins made by where-conditions are scheduled by MikroORM.
  for (const join of Object.values(qb.state.joins)) {
    if (join.path && join.type !== 'pivot join' && join.prop?.targetMeta) qb.scheduleFilterCheck(join.path);
  }
  await qb.applyJoinedFilters(qb.em, filters);
}

/** Runs an update()/delete() as em.nativeUpdate/nativeDelete when a plugin is concerned; undefined leaves it to MikroORM. */
async function writeThroughPlugins(qb: Branded, method: string | undefined): Promise<unknown> {
  const em = qb.em;
  const meta = qb.mainAlias.meta;
  const runtime = em && findRuntime(em);
  const kind = qb.type === 'UPDATE' ? 'update' : 'delete';
  if (!em || !meta || !runtime || !pluginsConcerned(runtime, meta, kind)) return undefined;
  const recorded = qb[RECORDED];
  const feature = unsupportedFeature(qb, recorded);
  if (feature) {
    throw builderError('MOP_QB_UNSUPPORTED', qb, `${kind}() uses ${feature}, which em.native${kind === 'update' ? 'Update' : 'Delete'} cannot express, so the plugins could not see it. Use em.native${kind === 'update' ? 'Update' : 'Delete'}, or switch the plugins off with withoutPlugins()`);
  }
  const where = unaliased(recorded.where ?? {}, qb.alias);
  const options: Record<string, unknown> = {};
  if (qb.state.schema) options.schema = qb.state.schema;
  if (recorded.options.filters !== undefined) options.filters = recorded.options.filters;
  if (recorded.options.hard) options.hard = true;
  const count = kind === 'update' ? await em.nativeUpdate(meta.class, where, recorded.data as never, options) : await em.nativeDelete(meta.class, where, options);
  // What MikroORM's builder returns for a write, by method.
  if (method === 'all') return [];
  if (method === 'get') return undefined;
  return { affectedRows: count, insertId: undefined, row: undefined, rows: [] };
}

/** Whether an active plugin hooks this bulk write or filters the entity. */
function pluginsConcerned(runtime: PluginRuntime, meta: EntityMetadata, kind: 'update' | 'delete'): boolean {
  const chains = runtime.chainsOf(meta);
  const active = (chain: Chain | null | undefined) => chain?.links.some(link => runtime.isActive(link.plugin, meta.className)) === true;
  if (chains && (kind === 'update' ? active(chains.beforeBulkUpdate) || active(chains.afterBulkUpdate) : active(chains.beforeBulkDelete) || active(chains.afterBulkDelete))) {
    return true;
  }
  return Object.keys(meta.filters).some(name => runtime.optionsFor(meta.className, name) !== undefined && runtime.isActive(name, meta.className));
}

function unsupportedFeature(qb: Builder, recorded: Recorded): string | undefined {
  const s = qb.state;
  if (recorded.where === 'raw') return 'a raw or string where-condition';
  if (recorded.explicitJoin) return 'an explicit join';
  if (s.limit != null || s.offset != null) return 'limit/offset';
  if (s.orderBy.length > 0) return 'orderBy';
  if (s.returning) return 'returning';
  if (s.ctes.length > 0) return 'a common table expression (with)';
  if (s.groupBy.length > 0 || Utils.hasObjectKeys(s.having)) return 'groupBy/having';
  if (s.lockMode != null) return 'a lock mode';
  if (s.indexHint) return 'an index hint';
  if (s.unionQuery) return 'a union';
  if (Utils.hasObjectKeys(s.subQueries)) return 'a sub-query';
  return undefined;
}

function builderError(code: PluginErrorCode, qb: Builder, message: string): QueryBuilderError {
  const entity = qb.mainAlias.meta?.className;
  return new QueryBuilderError(code, `QueryBuilder of ${entity ?? 'a table'}: ${message}`, entity === undefined ? {} : { entity });
}
