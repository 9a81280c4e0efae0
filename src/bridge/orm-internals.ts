import { EntityManager, Utils, type EntityMetadata, type IDatabaseDriver, type MetadataStorage, type MikroORM } from '@mikro-orm/core';
import { PluginError } from '../errors.js';

// The one module that relies on MikroORM members outside its public API. `checkSupportedOrm` runs when
// `pluginSystem()` registers and fails loudly when a member is missing, so nothing stops working silently.

/** The MikroORM versions this package is tested with (CI runs the lowest and the newest). */
export const SUPPORTED_ORM = { min: '7.2.1', below: '7.3.0' } as const;

/** MikroORM lacks a member the package needs, or is a version it does not support. */
export class UnsupportedOrmError extends PluginError {
  override name = 'UnsupportedOrmError';
  readonly member: string;

  constructor(member: string, detail: string) {
    super('MOP_UNSUPPORTED_ORM', `mikro-orm-plugins needs ${member} of MikroORM, ${detail} (MikroORM ${Utils.getORMVersion()}; supported: >=${SUPPORTED_ORM.min} <${SUPPORTED_ORM.below})`);
    this.member = member;
  }
}

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/** Protected EntityManager members the soft-delete reading layer extends. */
const PROTECTED_EM_MEMBERS = ['autoJoinRefsForFilters', 'getJoinedFilters'] as const;

/** At registration: the version is in range and every non-public member the package uses is there. */
export function checkSupportedOrm(orm: MikroORM): void {
  if (!inSupportedRange(Utils.getORMVersion())) throw new UnsupportedOrmError('MikroORM itself', 'at a version this package is not tested with');
  const em = EntityManager.prototype as unknown as Record<string, unknown>;
  for (const member of PROTECTED_EM_MEMBERS) {
    if (typeof em[member] !== 'function') throw new UnsupportedOrmError(`EntityManager#${member}`, 'which this version does not have');
  }
  if (!driverEntityManager(orm.driver) && !orm.config.get('entityManager')) {
    throw new UnsupportedOrmError('the driver default EntityManager class', `which ${orm.driver.constructor.name} does not reveal: set the \`entityManager\` option`);
  }
}

function inSupportedRange(version: string): boolean {
  const parse = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
  const [a, b, c] = parse(version);
  const cmp = (other: string) => {
    const [x, y, z] = parse(other);
    return a! - x! || b! - y! || c! - z!;
  };
  return cmp(SUPPORTED_ORM.min) >= 0 && cmp(SUPPORTED_ORM.below) < 0;
}

/**
 * The EntityManager class a driver creates when `entityManager` is not configured. Drivers read it as
 * `config.get('entityManager', TheirDefault)` in `createEntityManager`; a probe `this` catches that fallback.
 */
export function driverEntityManager(driver: IDatabaseDriver): EntityManagerClass | undefined {
  let found: EntityManagerClass | undefined;
  const stop = new Error('probe');
  const probe = {
    config: {
      get(key: string, fallback?: unknown) {
        if (key !== 'entityManager') return fallback;
        found = fallback as EntityManagerClass | undefined;
        throw stop;
      },
    },
  };
  try {
    (driver.createEntityManager as (this: unknown, useContext?: boolean) => unknown).call(probe, false);
  } catch {
    // `stop`, or a driver that does not follow the pattern (then `found` stays undefined).
  }
  return found;
}

// --- QueryBuilder (SQL drivers) ---

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

/** Re-bases a builder on the package's subclass of its class (made once per class); the builder keeps its own private state. */
export function builderClassFor<Q extends object>(qb: Q, make: (Base: BuilderClass) => BuilderClass): Q {
  const Base = qb.constructor as BuilderClass;
  let Sub = builderSubclasses.get(Base);
  if (!Sub) {
    checkBuilder(qb);
    Sub = make(Base);
    builderSubclasses.set(Base, Sub);
  }
  Object.setPrototypeOf(qb, Sub.prototype);
  return qb;
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
