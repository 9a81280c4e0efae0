import type { EntityManager, EntityMetadata, MetadataStorage, MikroORM } from '@mikro-orm/core';
import { UnsupportedOrmError } from './support.js';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

/** The QueryBuilder state the package reads, typed locally so it needs no `@mikro-orm/sql` types. */
export interface BuilderState {
  readonly finalized: boolean;
  readonly joins: Readonly<Record<string, unknown>>;
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

/** A MikroORM QueryBuilder, as far as the package uses its public members. */
export interface Builder {
  readonly em?: EntityManager;
  readonly type: string;
  readonly alias: string;
  readonly mainAlias: { readonly meta?: EntityMetadata };
  andWhere(cond: unknown): unknown;
}
export type BuilderClass = new (...args: any[]) => any;

/**
 * Non-public QueryBuilder members: `finalize` (both rendering and running pass it), `joinReference` (every
 * explicit join passes it), `getAliasMap` and the `state` getter.
 */
const BUILDER_MEMBERS = ['finalize', 'joinReference', 'getAliasMap', 'state', 'join', 'joinAndSelect', 'where', 'andWhere', 'update', 'clone', 'applyFilters', 'execute', 'stream'] as const;
const STATE_FIELDS = ['finalized', 'joins', 'orderBy', 'groupBy', 'having', 'ctes', 'subQueries'] as const;

const builderSubclasses = new WeakMap<BuilderClass, BuilderClass>();

/** What the package's builder layer adds at MikroORM's non-public builder steps. */
export interface BuilderHooks {
  /** Before the builder renders its SQL (rendering and running both pass here), once. */
  beforeFinalize(qb: Builder): void;
  /** The condition an explicit join of `field` gets, from the one the caller gave. */
  joinCondition(qb: Builder, field: unknown, cond: unknown, type: string): unknown;
}

/**
 * Re-bases a builder on the package's subclass of its class (made once per class: `make` over the
 * hooks below); the builder keeps its own private state.
 */
export function builderClassFor<Q extends object>(qb: Q, hooks: BuilderHooks, make: (Base: BuilderClass) => BuilderClass): Q {
  const Base = qb.constructor as BuilderClass;
  let Sub = builderSubclasses.get(Base);
  if (!Sub) {
    checkBuilder(qb);
    Sub = make(withBuilderHooks(Base, hooks));
    builderSubclasses.set(Base, Sub);
  }
  Object.setPrototypeOf(qb, Sub.prototype);
  return qb;
}

function withBuilderHooks(Base: BuilderClass, hooks: BuilderHooks): BuilderClass {
  return class extends Base {
    finalize(): void {
      if (!builderState(this).finalized) hooks.beforeFinalize(this as unknown as Builder);
      return super.finalize();
    }

    /** Every explicit join passes here (MikroORM's own joins for where-conditions and populate do not). */
    joinReference(field: unknown, alias: string, cond: unknown, type: string, ...rest: unknown[]): unknown {
      return super.joinReference(field, alias, hooks.joinCondition(this as unknown as Builder, field, cond, type), type, ...rest);
    }
  };
}

function checkBuilder(qb: object): void {
  for (const member of BUILDER_MEMBERS) {
    if (!(member in qb)) throw new UnsupportedOrmError(`QueryBuilder#${member}`, 'which this version does not have');
  }
  const state = (qb as { state?: Record<string, unknown> }).state;
  for (const field of STATE_FIELDS) {
    if (state == null || !(field in state)) throw new UnsupportedOrmError(`QueryBuilder#state.${field}`, 'which this version does not have');
  }
}

/** At start-up, when the driver has a QueryBuilder: makes one and checks the members the package relies on. */
export function checkQueryBuilder(orm: MikroORM, storage: MetadataStorage): void {
  const driver = orm.driver as unknown as { createQueryBuilder?: (...args: unknown[]) => object; setMetadata(storage: MetadataStorage): void };
  if (typeof driver.createQueryBuilder !== 'function') return;
  const meta = [...storage.getAll().values()].find(m => !m.abstract && !m.embeddable && !m.virtual);
  if (!meta) return;
  // MikroORM sets the same metadata on the driver right after discovery.
  driver.setMetadata(storage);
  checkBuilder(driver.createQueryBuilder(meta.class, undefined, undefined, false));
}

/** The builder's state (limits, joins, …). */
export function builderState(qb: object): BuilderState {
  return (qb as { state: BuilderState }).state;
}

/** The entity an explicit join of `field` ('alias.relation') reaches, or undefined. */
export function joinTarget(qb: Builder, field: string): EntityMetadata | undefined {
  const dot = field.indexOf('.');
  const alias = dot < 0 ? qb.alias : field.slice(0, dot);
  const relation = dot < 0 ? field : field.slice(dot + 1);
  const owner = (qb as unknown as { getAliasMap(): Record<string, unknown> }).getAliasMap()[alias];
  const meta = owner == null ? undefined : qb.em?.getMetadata().find(owner as never);
  return (meta?.properties as Record<string, { targetMeta?: EntityMetadata }> | undefined)?.[relation]?.targetMeta;
}
