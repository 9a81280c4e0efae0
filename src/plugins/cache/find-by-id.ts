import { helper, ReferenceKind, Utils, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { findRuntime } from '../../bridge/extension.js';
import { setFindOneInterceptor } from '../../bridge/plugin-entity-manager.js';
import { CachePlugin, serializeId } from './plugin.js';
import type { CachedRow } from './store.js';

type AnyOptions = Record<string, any>;

/** findOne options that do not change what a load by primary key returns. Anything else set skips the cache. */
const HARMLESS = new Set(['filters', 'schema', 'failHandler', 'flushMode', 'logging', 'loggerContext', 'connectionType', 'refresh', 'populate', 'strict']);

/** Misses in flight per store and key: concurrent misses wait for one database read (single-flight). */
const inFlight = new Map<string, { stamp: string; row: Promise<CachedRow | null | undefined> }>();

/**
 * `em.findOne(Entity, pk)`: from the cache when the entity uses the cache plugin and the read is a
 * plain load by primary key; otherwise MikroORM's own findOne (`load`). A hit is hydrated through
 * MikroORM's entity factory (merged into the identity map, managed, `onLoad`/`afterLoad` fired).
 */
async function cachedFindOne(em: EntityManager, entityName: unknown, where: unknown, options: AnyOptions | undefined, load: () => Promise<any>): Promise<any> {
  const runtime = findRuntime(em);
  if (!runtime || entityName == null) return load();
  const meta = em.getMetadata().find(entityName as never);
  const instance = meta && runtime.optionsFor(meta.className, 'cache') !== undefined ? runtime.instanceOf('cache') : undefined;
  const plugin = instance instanceof CachePlugin ? instance : undefined;
  const cached = plugin?.entity(meta!.className);
  if (!cached || !runtime.isActive('cache', meta!.className)) return load();

  const opts = options ?? {};
  const target = primaryKeyTarget(meta!, where, opts);
  if (target === undefined) return load(); // not a load by primary key: not ours to count
  const ctx = em.getContext();
  if (!cacheable(ctx, opts, target)) {
    cached.metrics.bypasses++;
    return load();
  }
  const { id } = target;
  // Already in the identity map: MikroORM answers (or, for a bare reference, loads into it).
  const existing = target.reference ?? ctx.getUnitOfWork().tryGetById(meta!.class, where as never, opts.schema);
  if (existing && helper(existing).__initialized) return load();
  const reference = existing ?? undefined;
  const variant = await filterVariant(ctx, meta!, opts);
  if (variant === undefined) {
    cached.metrics.bypasses++;
    return load();
  }
  // Reference loads name the schema the entity came from (`public` on PostgreSQL): the default one is no schema.
  const schema = opts.schema && opts.schema !== (meta!.schema ?? ctx.config.get('schema') ?? ctx.getPlatform().getDefaultSchemaName()) ? opts.schema : undefined;
  const variantKey = schema ? `${variant}@${schema}` : variant;
  const found = await plugin!.read(cached, id, variantKey);
  if (found === undefined) return load(); // store unavailable: straight to the database
  if (found.value !== undefined) {
    cached.metrics.hits++;
    return hydrate(ctx, meta!, found.value, opts, reference);
  }
  cached.metrics.misses++;

  // Single-flight: join a read of the same key that started under the same stamp (no commit in between).
  const flightKey = `${cached.store.name}\u0000${cached.ns}\u0000${id}\u0000${variantKey}`;
  const flight = inFlight.get(flightKey);
  if (flight && flight.stamp === found.stamp) {
    const row = await flight.row;
    if (row === null) return null;
    if (row !== undefined) return hydrate(ctx, meta!, row, opts, reference);
    return load(); // the leader failed or could not snapshot: read for ourselves
  }
  let entity: any;
  const row = (async () => {
    entity = await load();
    if (entity == null) return null;
    const snapshot = ctx.getUnitOfWork().getOriginalEntityData(entity) as CachedRow | undefined;
    if (!snapshot || !helper(entity).__initialized) return undefined;
    await plugin!.fill(cached, id, variantKey, found.stamp, snapshot);
    return snapshot;
  })();
  const mine = { stamp: found.stamp, row: row.catch(() => undefined) };
  inFlight.set(flightKey, mine);
  try {
    await row;
    return entity;
  } finally {
    if (inFlight.get(flightKey) === mine) inFlight.delete(flightKey);
  }
}

interface Target {
  readonly id: string;
  /** The uninitialized reference being loaded (`wrap(ref).init()`, `ref.load()`), if that is the call. */
  readonly reference: object | undefined;
}

/** The primary key the call loads, or undefined when `where` is something else. */
function primaryKeyTarget(meta: EntityMetadata, where: unknown, options: AnyOptions): Target | undefined {
  const keys = meta.primaryKeys;
  if (where !== null && typeof where === 'object' && Utils.isEntity(where)) {
    // Reference loads call findOne(Entity, reference, { refresh: true }); an initialized entity is a refresh: not ours.
    const wrapped = helper(where as object);
    if (wrapped.__initialized || options.refresh !== true || wrapped.__meta.className !== meta.className) return undefined;
    const id = serializeId(keys.map(k => (where as Record<string, unknown>)[k]), meta);
    return id === undefined ? undefined : { id, reference: where };
  }
  let values: unknown[];
  if (Array.isArray(where)) values = where;
  else if (Utils.isPlainObject(where)) {
    const props = Object.keys(where as object);
    if (props.length !== keys.length || !keys.every(k => props.includes(k)) || Object.getOwnPropertySymbols(where).length > 0) return undefined;
    values = keys.map(k => (where as Record<string, unknown>)[k]);
  } else values = [where];
  const id = serializeId(values, meta);
  return id === undefined ? undefined : { id, reference: undefined };
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
 * The query filters that would apply to the read, resolved with their parameters, as a stable key:
 * entries read under other filters (another tenant, soft-deleted rows visible) are different entries.
 * Undefined (skip the cache) when a filter resolves to something that cannot be keyed faithfully,
 * or when a to-one relation's target is filtered: MikroORM then joins it, so whether the row is
 * visible depends on another row, whose writes do not drop this entry.
 */
async function filterVariant(em: EntityManager, meta: EntityMetadata, options: AnyOptions): Promise<string | undefined> {
  const filters = options.filters ?? {};
  const own = await em.applyFilters(meta.class, {}, filters, 'read', options as never);
  if (em.config.get('filtersOnRelations') && em.config.get('autoJoinRefsForFilters')) {
    for (const prop of meta.relations) {
      const toOne = prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner);
      if (!toOne || !prop.targetMeta) continue;
      const cond = await em.applyFilters(prop.targetMeta.class, {}, filters, 'read', options as never);
      if (cond && (Object.keys(cond).length > 0 || Object.getOwnPropertySymbols(cond).length > 0)) return undefined;
    }
  }
  return stableKey(own ?? {});
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

/** Makes a cached row a managed entity of `em`, as a database load would (identity map, snapshot, onLoad). */
async function hydrate(em: EntityManager, meta: EntityMetadata, row: CachedRow, options: AnyOptions, reference: object | undefined): Promise<any> {
  const entity = em.getEntityFactory().create(meta.class, { ...row } as never, {
    merge: true,
    refresh: reference !== undefined,
    schema: options.schema,
    convertCustomTypes: true,
    recomputeSnapshot: true,
  });
  await em.getUnitOfWork().dispatchOnLoadEvent();
  return entity;
}

setFindOneInterceptor(cachedFindOne);
