import { Utils, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { entityState, hydrateLoaded, loadedRow, type FindOneCall } from '../../core.js';
import { cacheKeyOf, type CachedEntity, type CacheKey } from './cached-entity.js';
import { copyRow } from './memory-store.js';
import { filterVariant } from './filter-variant.js';
import type { CacheOptions } from './options.js';
import type { StoreAccess } from './store-access.js';
import type { StoreChoice } from './store-choice.js';
import type { CachedRow, CacheRead, CacheStore } from './store.js';

type AnyOptions = Record<string, any>;

/** findOne options that do not change what a load by primary key returns. Anything else set skips the cache. */
const HARMLESS = new Set(['filters', 'schema', 'failHandler', 'flushMode', 'logging', 'loggerContext', 'connectionType', 'refresh', 'populate', 'strict']);

interface Flight {
  readonly stamp: string;
  readonly row: Promise<CachedRow | null | undefined>;
}

/** Misses in flight per store and key: concurrent misses wait for one database read (single-flight). */
const inFlight = new WeakMap<CacheStore, Map<string, Flight>>();

/**
 * `em.findOne(Entity, pk)` of a cached entity: from the store when the read is a plain load by
 * primary key; otherwise `call.load()` (MikroORM's own findOne). A hit is hydrated through MikroORM's
 * entity factory (merged into the identity map, managed, `onLoad`/`afterLoad` fired). A hit awaits
 * MikroORM's filter resolution and nothing else on a sync store (memory): each later step goes on
 * synchronously when it can.
 */
export function findById(call: FindOneCall<CacheOptions>, cached: CachedEntity, access: StoreAccess, choice: StoreChoice): Promise<unknown> {
  const { meta, where } = call;
  const opts = call.findOptions as AnyOptions;
  const target = primaryKeyTarget(meta, where, opts, call.em);
  if (target === undefined) return call.load(); // not a load by primary key: not ours to count
  const em = call.em.getContext();
  if (!cacheable(em, opts, target)) {
    cached.metrics.bypasses++;
    return call.load();
  }
  // Already in the identity map: MikroORM answers (or, for a bare reference, loads into it).
  const existing = target.reference ?? em.getUnitOfWork().tryGetById(meta.class, where as never, opts.schema);
  if (existing && entityState(existing).initialized) return call.load();
  const read: Read = { call, em, cached, access, choice, key: target.key, reference: existing ?? undefined };
  return filterVariant(em, meta, opts, variant => withVariant(read, variant));
}

/** One load by primary key on its way through the cache. */
interface Read {
  readonly call: FindOneCall<CacheOptions>;
  /** The em's context (the fork in use). */
  readonly em: EntityManager;
  readonly cached: CachedEntity;
  readonly access: StoreAccess;
  readonly choice: StoreChoice;
  readonly key: CacheKey;
  /** The uninitialized reference being loaded, if that is the call. */
  readonly reference: object | undefined;
}

function withVariant(read: Read, variant: string | undefined): Promise<unknown> {
  const { call, em, cached } = read;
  if (variant === undefined) {
    cached.metrics.bypasses++;
    return call.load();
  }
  const store = read.choice.forRead(cached, em);
  if (store === undefined) {
    cached.metrics.bypasses++; // no store selectable, or switching stores: straight to the database
    return call.load();
  }
  // Reference loads name the schema the entity came from (`public` on PostgreSQL): the default one is no schema.
  const schema = (call.findOptions as AnyOptions).schema;
  let variantKey = schema && schema !== (call.meta.schema ?? em.config.get('schema') ?? em.getPlatform().getDefaultSchemaName()) ? `${variant}@${schema}` : variant;
  // A spelling other than the folded one has entries of its own (a case-sensitive database may hold both rows).
  if (read.key.exact !== read.key.id) variantKey = `${variantKey}#${read.key.exact}`;
  const found = read.access.read(store, cached.ns, read.key.id, variantKey, cached.metrics);
  return found instanceof Promise ? found.then(f => withEntry(read, store, variantKey, f)) : withEntry(read, store, variantKey, found);
}

function withEntry(read: Read, store: CacheStore, variantKey: string, found: CacheRead | undefined): Promise<unknown> {
  const { call, cached } = read;
  if (found === undefined) return call.load(); // store unavailable: straight to the database
  if (found.value === undefined) {
    cached.metrics.misses++;
    return loadAndFill(read, store, variantKey, found);
  }
  cached.metrics.hits++;
  return hydrate(read.em, call.meta, found.value, call.findOptions as AnyOptions, read.reference);
}

/**
 * A miss: one database read per key and stamp in this process (single-flight), its snapshot stored if
 * the stamp still holds and the row loaded has the very key read (not another spelling of it).
 */
async function loadAndFill(read: Read, store: CacheStore, variantKey: string, found: CacheRead): Promise<unknown> {
  const { call, em, cached, access, key, reference } = read;
  const { id } = key;
  let flights = inFlight.get(store);
  if (!flights) inFlight.set(store, (flights = new Map()));
  const flightKey = `${cached.ns}\u0000${id}\u0000${variantKey}`;
  const flight = flights.get(flightKey);
  if (flight && flight.stamp === found.stamp) {
    const row = await flight.row;
    if (row === null) return null;
    // The leader's snapshot stays the leader's: a copy of its own for this entity.
    if (row !== undefined) return hydrate(em, call.meta, copyRow(row), call.findOptions as AnyOptions, reference);
    return call.load(); // the leader failed or could not snapshot: read for ourselves
  }
  let entity: any;
  const row = (async () => {
    entity = await call.load();
    if (entity == null) return null;
    const snapshot = loadedRow(em, call.meta, entity) as CachedRow | undefined;
    if (!snapshot || !entityState(entity).initialized) return undefined;
    const loaded = cacheKeyOf(call.meta, call.meta.primaryKeys.map(k => entity[k]), em.getPlatform());
    if (loaded?.exact !== key.exact) return undefined;
    if (await access.fill(store, cached.ns, id, variantKey, found.stamp, snapshot, Math.round(call.options.ttl * 1000), cached.metrics)) cached.metrics.sets++;
    return snapshot;
  })();
  const mine = { stamp: found.stamp, row: row.catch(() => undefined) };
  flights.set(flightKey, mine);
  try {
    await row;
    return entity;
  } finally {
    if (flights.get(flightKey) === mine) flights.delete(flightKey);
  }
}

interface Target {
  readonly key: CacheKey;
  /** The uninitialized reference being loaded (`wrap(ref).init()`, `ref.load()`), if that is the call. */
  readonly reference: object | undefined;
}

/** The primary key the call loads, or undefined when `where` is something else. */
function primaryKeyTarget(meta: EntityMetadata, where: unknown, options: AnyOptions, em: EntityManager): Target | undefined {
  const keys = meta.primaryKeys;
  if (where !== null && typeof where === 'object' && Utils.isEntity(where)) {
    // Reference loads call findOne(Entity, reference, { refresh: true }); an initialized entity is a refresh: not ours.
    const state = entityState(where as object);
    if (state.initialized || options.refresh !== true || state.meta.className !== meta.className) return undefined;
    const key = cacheKeyOf(meta, keys.map(k => (where as Record<string, unknown>)[k]), em.getPlatform());
    return key === undefined ? undefined : { key, reference: where };
  }
  let values: unknown[];
  if (Array.isArray(where)) values = where;
  else if (Utils.isPlainObject(where)) {
    const props = Object.keys(where as object);
    if (props.length !== keys.length || !keys.every(k => props.includes(k)) || Object.getOwnPropertySymbols(where).length > 0) return undefined;
    values = keys.map(k => (where as Record<string, unknown>)[k]);
  } else values = [where];
  const key = cacheKeyOf(meta, values, em.getPlatform());
  return key === undefined ? undefined : { key, reference: undefined };
}

/** Whether the options and the em's state let this load by primary key use the cache. */
function cacheable(em: EntityManager, options: AnyOptions, target: Target): boolean {
  if (em.isInTransaction()) return false; // uncommitted writes of this transaction must be seen; and nothing it reads is committed
  if (options.disableIdentityMap ?? em.config.get('disableIdentityMap')) return false;
  for (const key in options) if (options[key] !== undefined && !HARMLESS.has(key)) return false;
  if (options.strict) return false;
  if (options.refresh && !target.reference) return false;
  const populate = options.populate;
  if (populate !== undefined && populate !== false && !(Array.isArray(populate) && populate.length === 0)) return false;
  return true;
}

/**
 * Makes a cached row a managed entity of `em`, as a database load would (identity map, snapshot,
 * onLoad). The row is the store's fresh copy, so the factory may keep it as the entity's snapshot.
 * `onLoad` is dispatched only when something listens for this entity; otherwise the entity just
 * leaves the pending list, as a dispatch would leave it, with nothing to await.
 */
function hydrate(em: EntityManager, meta: EntityMetadata, row: CachedRow, options: AnyOptions, reference: object | undefined): Promise<any> {
  return hydrateLoaded(em, meta, row, { schema: options.schema, refresh: reference !== undefined });
}
