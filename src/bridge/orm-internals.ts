import { AsyncLocalStorage } from 'node:async_hooks';
import {
  EntityFactory,
  EntityManager,
  EntitySchema,
  EventType,
  helper,
  MetadataStorage,
  Raw,
  UnitOfWork,
  Utils,
  type ChangeSet,
  type EntityMetadata,
  type EntityName,
  type EntityProperty,
  type Platform,
  type FilterOptions,
  type IDatabaseDriver,
  type MikroORM,
} from '@mikro-orm/core';
import { invalidArgument, PluginConfigError, PluginError } from '../errors.js';

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

/** At registration: the version is in range and every non-public member the package uses is there. */
export function checkSupportedOrm(orm: MikroORM): void {
  if (!inSupportedRange(Utils.getORMVersion())) throw new UnsupportedOrmError('MikroORM itself', 'at a version this package is not tested with');
  const missing = missingMember();
  if (missing) throw new UnsupportedOrmError(missing, 'which this version does not have');
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

// --- Reads: filters, joins, entities ---

/** The where-condition MikroORM's filters give a read of `entity` under these filter options (`em.applyFilters`). */
export function filterConditions(em: EntityManager, entity: EntityName<any>, filters: FilterOptions, options: object): Promise<object | undefined> {
  checkEm('filterConditions', em);
  checkEntity('filterConditions', em, entity);
  const validFilters = typeof filters === 'boolean' || (Array.isArray(filters) && filters.every(f => typeof f === 'string')) || (typeof filters === 'object' && filters !== null && !Array.isArray(filters));
  if (!validFilters) throw invalidArgument('filterConditions', 'filters', 'filter options (a boolean, a list of filter names or { name: args })', filters);
  if (typeof options !== 'object' || options === null) throw invalidArgument('filterConditions', 'options', 'an object', options);
  // On copies of the arguments: resolving what would apply must not change the read that follows (a
  // filter may record state in its arguments, as softDelete's root-only `onlyDeleted` does).
  return (em as unknown as EmInternals).applyFilters(entity, {}, detached(filters) as FilterOptions, 'read', options);
}

/** A deep copy of plain objects (string and symbol keys); anything else is shared. */
function detached(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(value)) copy[key] = detached((value as Record<PropertyKey, unknown>)[key]);
  return copy;
}

/** Marks a joined relation's filter condition strict: MikroORM then leaves the owner out when the target is filtered away. */
export function markStrict(cond: object): void {
  if (typeof cond !== 'object' || cond === null || !Object.isExtensible(cond)) throw invalidArgument('markStrict', 'cond', 'a condition object (not frozen)', cond);
  Object.defineProperty(cond, '__strict', { value: true, configurable: true });
}

/** Hooks into MikroORM's planning of a read's filter joins (the protected `autoJoinRefsForFilters` and `getJoinedFilters`). */
export interface FilterJoinHooks {
  /** Whether the hooks concern reads of this entity; when not, MikroORM's own promise is handed back untouched. */
  concerns(em: EntityManager, meta: EntityMetadata): boolean;
  afterJoinsPlanned(em: EntityManager, meta: EntityMetadata, options: any): unknown;
  afterJoinedFilters<T>(em: EntityManager, meta: EntityMetadata, options: any, joined: T): T | PromiseLike<T>;
}

/** An EntityManager subclass with the filter-join hooks. */
export function withFilterJoinHooks<T extends EntityManagerClass>(Base: T, hooks: FilterJoinHooks): T {
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager & EmInternals;
  class FilterJoins extends Concrete {
    override autoJoinRefsForFilters(meta: EntityMetadata, options: any, parent?: any): Promise<void> {
      const pending = super.autoJoinRefsForFilters(meta, options, parent);
      return hooks.concerns(this, meta) ? pending.then(async () => void (await hooks.afterJoinsPlanned(this, meta, options))) : pending;
    }

    override getJoinedFilters(meta: EntityMetadata, options: any): Promise<any> {
      const pending = super.getJoinedFilters(meta, options);
      return hooks.concerns(this, meta) ? pending.then(joined => hooks.afterJoinedFilters(this, meta, options, joined)) : pending;
    }
  }
  return FilterJoins as unknown as T;
}

/** What the package reads of a wrapped entity. */
export interface EntityState {
  readonly initialized: boolean;
  /** The EntityManager managing the entity, if any. */
  readonly managedBy: EntityManager | undefined;
  readonly meta: EntityMetadata;
}

export function entityState(entity: object): EntityState {
  if (typeof entity !== 'object' || entity === null || !(entity as { __helper?: unknown }).__helper) {
    throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `entityState: expected an entity (an instance of a discovered entity class), got ${entity === null ? 'null' : typeof entity}`);
  }
  const wrapped = helper(entity) as unknown as { __initialized?: boolean; __managed?: boolean; __em?: EntityManager; __meta?: EntityMetadata };
  if (!wrapped.__meta) throw new UnsupportedOrmError('WrappedEntity#__meta', 'which this version does not set');
  return { initialized: wrapped.__initialized !== false, managedBy: wrapped.__managed ? wrapped.__em : undefined, meta: wrapped.__meta };
}

/** The managed entity with this primary key, loaded or a reference, or undefined. */
export function managedById(em: EntityManager, entity: EntityName<any>, id: unknown, schema?: string): object | undefined {
  checkEm('managedById', em);
  checkEntity('managedById', em, entity);
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || v instanceof Date;
  if (id != null && !scalar(id) && !(Array.isArray(id) && id.every(scalar))) throw invalidArgument('managedById', 'id', 'a primary key (a scalar, or a list of them)', id);
  return (em.getUnitOfWork() as unknown as UowInternals).getById(entity, id, schema) ?? undefined;
}

/**
 * Makes a row read elsewhere (a cache) a managed entity of `em`, as a database load would: identity map,
 * snapshot, and `onLoad` when something listens for it.
 */
export function hydrateLoaded(em: EntityManager, meta: EntityMetadata, row: object, options: { schema?: string; refresh: boolean }): Promise<any> {
  checkEm('hydrateLoaded', em);
  const factory = em.getEntityFactory() as unknown as { create(entity: unknown, data: object, options: object): object };
  const entity = factory.create(meta.class, row, { merge: true, refresh: options.refresh, schema: options.schema, convertCustomTypes: true });
  const uow = em.getUnitOfWork() as unknown as UowInternals;
  if (em.getEventManager().hasListeners(EventType.onLoad, meta)) return uow.dispatchOnLoadEvent().then(() => entity);
  uow.unmarkAsLoaded(entity);
  return Promise.resolve(entity);
}

/** Per EventManager: the events it must not dispatch again, by the `changeSet` (or entity) they were run for. */
const alreadyDispatched = new WeakMap<object, Map<string, WeakSet<object>>>();
/** An event of one entity type the package already ran for everything the current call writes. */
const runForCall = new AsyncLocalStorage<{ readonly event: EventType; readonly meta: EntityMetadata }>();

/**
 * MikroORM has no way to cancel an event per entity, so when the package runs an event's listeners
 * itself, earlier than MikroORM would, it wraps `em`'s EventManager's `dispatchEvent`, once, to skip
 * MikroORM's own dispatch of it.
 */
function skipping(em: EntityManager): Map<string, WeakSet<object>> {
  const events = em.getEventManager() as unknown as { dispatchEvent(event: EventType, args: any, meta?: EntityMetadata): unknown };
  let done = alreadyDispatched.get(events);
  if (done) return done;
  const byEvent = new Map<string, WeakSet<object>>();
  alreadyDispatched.set(events, (done = byEvent));
  const dispatchEvent = events.dispatchEvent;
  events.dispatchEvent = function (this: unknown, type: EventType, args: any, meta?: EntityMetadata) {
    const skipped = byEvent.get(type);
    if (skipped !== undefined && args != null && skipped.has(args.changeSet ?? args.entity)) return undefined;
    const call = runForCall.getStore();
    if (call !== undefined && call.event === type && call.meta === (meta ?? args?.meta)) return undefined;
    return dispatchEvent.call(this, type, args, meta);
  };
  return done;
}

/** MikroORM will not dispatch `event` for `key` (a change set or an entity): the package already ran it. */
export function markDispatched(em: EntityManager, event: EventType, key: object): void {
  const done = skipping(em);
  let skipped = done.get(event);
  if (!skipped) done.set(event, (skipped = new WeakSet()));
  skipped.add(key);
}

/** Runs `fn` (a MikroORM call) without MikroORM dispatching `event` for `meta`'s entities: the package already ran it for them. */
export function withEventDispatched<T>(em: EntityManager, event: EventType, meta: EntityMetadata, fn: () => T): T {
  skipping(em);
  return runForCall.run({ event, meta }, fn);
}

// --- Start-up and shutdown (operations) ---

/**
 * An EntityManager made during discovery exactly as MikroORM makes `orm.em` right after it (MikroORM's own
 * `createEntityManager` is private), for start-up work that needs the database before `init` resolves.
 */
export function createEarlyEntityManager(orm: MikroORM, storage: MetadataStorage): EntityManager {
  orm.driver.setMetadata(storage);
  const em = orm.driver.createEntityManager();
  (em as { global: boolean }).global = true;
  (storage as unknown as { decorate(em: EntityManager): void }).decorate(em);
  return em;
}

/** Puts `around` around `orm.close()`: MikroORM has no close hook. `around` must call `close`. */
export function aroundClose(orm: MikroORM, around: (close: (force?: boolean) => Promise<void>, force?: boolean) => Promise<void>): void {
  const close = orm.close.bind(orm);
  orm.close = (force?: boolean) => around(close, force);
}

interface EmInternals {
  applyFilters(entity: EntityName<any>, where: object, filters: FilterOptions, type: 'read', options: object): Promise<object | undefined>;
  autoJoinRefsForFilters(meta: EntityMetadata, options: any, parent?: any): Promise<void>;
  getJoinedFilters(meta: EntityMetadata, options: any): Promise<any>;
}

interface UowInternals {
  getById(entity: EntityName<any>, id: unknown, schema?: string): object | undefined | null;
  dispatchOnLoadEvent(): Promise<void>;
  unmarkAsLoaded(entity: object): void;
}

/** Every non-public member above, by the prototype it lives on, checked by `checkSupportedOrm`. */
function missingMember(): string | undefined {
  const members: [string, object, readonly string[]][] = [
    ['EntityManager', EntityManager.prototype, ['applyFilters', 'autoJoinRefsForFilters', 'getJoinedFilters']],
    ['UnitOfWork', UnitOfWork.prototype, ['getById', 'dispatchOnLoadEvent', 'unmarkAsLoaded']],
    ['EntityFactory', EntityFactory.prototype, ['create']],
    ['MetadataStorage', MetadataStorage.prototype, ['decorate']],
  ];
  for (const [owner, proto, names] of members) {
    for (const name of names) if (typeof (proto as Record<string, unknown>)[name] !== 'function') return `${owner}#${name}`;
  }
  // `markStrict` relies on MikroORM reading the marker it sets for `strict` filters itself.
  if (!String((EntityManager.prototype as unknown as EmInternals).applyFilters).includes('__strict')) return 'the __strict filter marker';
  return undefined;
}

/** Plain JavaScript may hand the exported helpers anything: a typed error rather than a TypeError deep in MikroORM. */
function checkEm(fn: string, em: unknown): void {
  if (typeof (em as { getUnitOfWork?: unknown } | null | undefined)?.getUnitOfWork !== 'function') throw invalidArgument(fn, 'em', 'an EntityManager', em);
}

function checkEntity(fn: string, em: EntityManager, entity: unknown): void {
  let known = false;
  try {
    const name = typeof entity === 'function' || typeof entity === 'string' || entity instanceof EntitySchema;
    known = name && em.getMetadata().find(entity as EntityName<any>)?.root !== undefined;
  } catch {
    // MikroORM's lookup throws on some shapes; either way it is not an entity.
  }
  if (!known) throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `${fn}: expected a discovered entity class or name, got ${typeof entity === 'string' ? JSON.stringify(entity) : entity === null ? 'null' : typeof entity}`);
}

// --- Flush batches ---

/**
 * Writes the properties a batch hook set into the change sets' payloads, as `UnitOfWork.runHooks`
 * does after a per-entity hook (snapshot before, snapshot after, diff merged into the payload): in
 * snapshot form (`EntityComparator.getPropertySnapshot`), only where the value changed, in property order.
 */
export function writeHookFields(platform: Platform, changeSets: readonly ChangeSet<any>[], props: readonly EntityProperty[]): void {
  for (const prop of props) {
    const name = prop.name;
    // Chosen once per property and batch: the per-row loop then only converts and compares.
    const snapshot = snapshotterOf(platform, prop);
    for (let i = 0; i < changeSets.length; i++) {
      const cs = changeSets[i]!;
      const value = (cs.entity as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const after = snapshot(value);
      const payload = cs.payload as Record<string, unknown>;
      const before = name in payload ? payload[name] : (cs.originalEntity as Record<string, unknown> | undefined)?.[name];
      if (before !== after && !sameSnapshot(before, after)) payload[name] = after;
    }
  }
}

/** The snapshot form of a defined value of the property (`EntityComparator.getPropertySnapshot`). */
function snapshotterOf(platform: Platform, prop: EntityProperty): (value: unknown) => unknown {
  const customType = prop.customType;
  if (customType) {
    const primitive = PRIMITIVE.has(customType.compareAsType().toLowerCase());
    return value => {
      const converted = Raw.isKnownFragment(value) ? value : customType.convertToDatabaseValue(value, platform, { mode: 'serialization' });
      return primitive ? converted : Utils.copy(converted);
    };
  }
  if (prop.runtimeType === 'Date') return value => copied(platform.processDateProperty(value));
  if (!prop.array && PRIMITIVE.has(prop.type.toLowerCase())) return value => value;
  return value => Utils.copy(value);
}

/** `Utils.copy`, without its call for the numbers SQLite keeps dates as. */
function copied(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? Utils.copy(value) : value;
}

const PRIMITIVE: ReadonlySet<string> = new Set(['number', 'string', 'boolean', 'bigint']);

function sameSnapshot(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Utils.equals(a, b);
}
