import { ChangeSetType, raw, ReferenceKind, Utils, type ChangeSet, type EntityManager, type EntityMetadata, type EntityProperty, type EventArgs, type EventSubscriber } from '@mikro-orm/core';
import { LATE_SUBSCRIBER, PER_ENTITY_SUBSCRIBER } from './batch-plan.js';
import { PLUGIN_SUBSCRIBER } from './event-order.js';
import { checkChangedTypes, diffSinceSnapshot, replaceSnapshot } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';

type AnyChangeSet = ChangeSet<any>;
type Row = Record<string, unknown>;

interface KeptRow {
  readonly cs: AnyChangeSet;
  /** The entity's snapshot as the diff saw it; with the payload merged in, its snapshot once written. */
  readonly snapshot: Row;
}

/**
 * The rows of one flush that `deleteAsUpdate` kept and the plugin system writes itself, in `onFlush`,
 * after the batched update hooks: a few UPDATE statements per class instead of MikroORM's per-entity
 * events. Only for classes where nobody could tell the difference (`writableProps`); the other kept
 * rows become MikroORM updates as any vetoed delete does.
 */
export class KeptRows {
  readonly rows: KeptRow[] = [];
  readonly #props = new Map<EntityMetadata, ReadonlySet<string> | null>();
  #observers: Observers | undefined;

  constructor(
    readonly em: EntityManager,
    private readonly runtime: PluginRuntime,
    /** Whether this flush runs the class's `beforeUpdate` chain in a batch, in `onFlush`. */
    private readonly updatesBatched: (meta: EntityMetadata) => boolean,
  ) {}

  /** Turns a kept delete into an update of what changed and takes it, or answers false: the caller recomputes it for MikroORM. */
  take(cs: AnyChangeSet): boolean {
    const props = this.#writable(cs.meta);
    if (props === null) return false;
    const diff = diffSinceSnapshot(this.em, cs);
    if (diff === undefined || !writesOnly(diff.payload, props)) return false;
    checkChangedTypes(cs, diff.payload);
    cs.type = ChangeSetType.UPDATE;
    cs.payload = diff.payload as never;
    this.rows.push({ cs, snapshot: diff.snapshot });
    return true;
  }

  /** The rows still written here after the update hooks: those the hooks gave only writable properties. */
  ready(): KeptRow[] {
    return this.rows.filter(row => Utils.hasObjectKeys(row.cs.payload) && writesOnly(row.cs.payload as Row, this.#props.get(row.cs.meta)!));
  }

  #writable(meta: EntityMetadata): ReadonlySet<string> | null {
    let props = this.#props.get(meta);
    if (props === undefined) this.#props.set(meta, (props = this.#plan(meta)));
    return props;
  }

  /** Decided once per class and flush: the properties a kept row may write here, or null for MikroORM's own path. */
  #plan(meta: EntityMetadata): ReadonlySet<string> | null {
    const chains = this.runtime.chainsOf(meta);
    if (chains?.beforeUpdate != null && !this.updatesBatched(meta)) return null;
    if (!inFlushTransaction(this.em) || !plainClass(meta)) return null;
    this.#observers ??= observers(this.em);
    if (this.#observers.flush || this.#observers.updates.some(s => subscribes(s, meta))) return null;
    return new Set(meta.props.filter(plainColumn).map(prop => prop.name));
  }
}

/** No table-per-type split, version or concurrency check, generated column, property `onUpdate`, or own update hook: MikroORM would do nothing more for the row than write it. */
function plainClass(meta: EntityMetadata): boolean {
  if (meta.inheritanceType === 'tpt' || meta.root.inheritanceType === 'tpt' || meta.tptParent !== undefined) return false;
  if (meta.hasOptimisticLock() || (meta.hooks.beforeUpdate?.length ?? 0) > 0 || (meta.hooks.afterUpdate?.length ?? 0) > 0) return false;
  return !meta.props.some(prop => prop.onUpdate !== undefined || prop.generated !== undefined || prop.renamedFrom !== undefined);
}

/** A scalar column the row's UPDATE can set as is: not a key, not unique (MikroORM may reorder those), not embedded or computed. */
function plainColumn(prop: EntityMetadata['props'][number]): boolean {
  return prop.kind === ReferenceKind.SCALAR && !prop.primary && !prop.version && !prop.unique && prop.persist !== false && prop.formula === undefined && prop.embedded === undefined;
}

function writesOnly(payload: Row, props: ReadonlySet<string>): boolean {
  for (const key in payload) if (!props.has(key)) return false;
  return true;
}

/** The flush's statements run in a transaction (the one `withDeleteTransaction` opened), or MikroORM would not use one either. */
function inFlushTransaction(em: EntityManager): boolean {
  return em.isInTransaction() || !em.config.get('implicitTransactions') || !em.getPlatform().supportsTransactions();
}

interface Observers {
  /** A subscriber reads the flush's change sets after the package: `onFlush` registered later, or `afterFlush`. */
  readonly flush: boolean;
  /** Subscribers of the update events, which MikroORM would call per row. */
  readonly updates: readonly EventSubscriber[];
}

/** The subscribers, not the package's, that would see a kept row written here rather than by MikroORM. */
function observers(em: EntityManager): Observers {
  let afterPackage = false;
  let flush = false;
  const updates: EventSubscriber[] = [];
  for (const subscriber of em.getEventManager().getSubscribers() as Set<EventSubscriber & Record<symbol, unknown>>) {
    if (subscriber[PLUGIN_SUBSCRIBER] === true) {
      afterPackage = true;
      continue;
    }
    if (subscriber[PER_ENTITY_SUBSCRIBER] === true || subscriber[LATE_SUBSCRIBER] === true) continue;
    if (typeof subscriber.afterFlush === 'function' || (afterPackage && typeof subscriber.onFlush === 'function')) flush = true;
    if (typeof subscriber.beforeUpdate === 'function' || typeof subscriber.afterUpdate === 'function') updates.push(subscriber);
  }
  return { flush, updates };
}

/** Whether MikroORM would call the subscriber for the entity (`EventManager.dispatchEvent`'s rule). */
function subscribes(subscriber: EventSubscriber, meta: EntityMetadata): boolean {
  const names = subscriber.getSubscribedEntities?.() ?? [];
  return names.length === 0 || names.some(name => Utils.classOrName(name) === meta.class || Utils.classOrName(name) === meta.className);
}

/** Snapshots a failed flush must put back, by the entity manager that flushed. */
const written = new WeakMap<EntityManager, [entity: object, snapshot: Row | undefined][]>();

/**
 * Writes the kept rows: per class and chunk, one UPDATE when every row gets the same values, else
 * MikroORM's batch update; then each entity's snapshot, and its `afterUpdate` event (the package's
 * hooks, `afterChange`, `afterCommit`) in change-set order. The change sets are left with nothing
 * to write, so MikroORM skips them.
 */
export function writeKeptRows(kept: KeptRows, afterUpdate: (args: EventArgs<any>) => void | Promise<void>): void | Promise<void> {
  const rows = kept.ready();
  if (rows.length === 0) return;
  const { em } = kept;
  const run = async () => {
    const byClass = new Map<EntityMetadata, KeptRow[]>();
    for (const row of rows) {
      let list = byClass.get(row.cs.meta);
      if (list === undefined) byClass.set(row.cs.meta, (list = []));
      list.push(row);
    }
    for (const [meta, list] of byClass) await writeClass(em, meta, list);
    const undo: [object, Row | undefined][] = [];
    written.set(em, undo);
    for (const { cs, snapshot } of rows) {
      undo.push([cs.entity, cs.originalEntity as Row | undefined]);
      replaceSnapshot(cs.entity, Object.assign(snapshot, cs.payload));
    }
    for (const { cs } of rows) {
      const pending = afterUpdate({ entity: cs.entity, meta: cs.meta, em, changeSet: cs });
      if (pending !== undefined) await pending;
    }
    for (const { cs } of rows) cs.payload = {} as never;
  };
  return run();
}

/** Puts back the snapshots the kept rows of `em`'s failed flush replaced: the rows were rolled back, and the next flush must write them again. */
export function undoKeptSnapshots(em: EntityManager): void {
  const undo = written.get(em);
  written.delete(em);
  for (const [entity, snapshot] of undo ?? []) if (snapshot !== undefined) replaceSnapshot(entity, snapshot);
}

export function forgetKeptSnapshots(em: EntityManager): void {
  written.delete(em);
}

// Rows per statement when values differ: a column whose value differs by row is set by a CASE over the
// statement's rows, which the database walks for each row, so its work grows with the square of this.
const CASE_ROWS = 100;

/**
 * The UPDATEs of one class's kept rows, in chunks of at most `batchSize` rows: a column every row of
 * the chunk gives the same value is set once, a column that differs by row with `CASE pk WHEN ? THEN ?`
 * (values as parameters, identifiers quoted by the platform), through the driver's `nativeUpdate`
 * (MikroORM's query builder), with the values as MikroORM's own update would pass them (snapshot form,
 * no conversion). Composite keys, and columns a custom type writes through SQL, take MikroORM's batch update.
 */
async function writeClass(em: EntityManager, meta: EntityMetadata, rows: readonly KeptRow[]): Promise<void> {
  const driver = em.getDriver();
  const size = em.config.get('batchSize');
  // The change sets' keys are in database form, as MikroORM's own updates pass them (no conversion).
  const pk = meta.primaryKeys.length === 1 && meta.getPrimaryProps()[0]!.kind === ReferenceKind.SCALAR ? meta.getPrimaryProps()[0]! : undefined;
  for (let start = 0; start < rows.length; ) {
    const cs = rows[start]!.cs;
    const options = { ctx: em.getTransactionContext(), schema: cs.schema ?? meta.schema, convertCustomTypes: false, processCollections: false, loggerContext: em.getLoggerContext() };
    const same = pk === undefined ? 0 : sameValues(rows, start, size);
    const chunk = rows.slice(start, same > 1 ? start + same : start + (pk === undefined ? size : CASE_ROWS));
    start += chunk.length;
    const data = pk === undefined ? undefined : chunk.length === 1 || same > 1 ? { ...(cs.payload as Row) } : caseData(em, meta, pk, chunk);
    if (data === undefined) {
      await driver.nativeUpdateMany(meta.class, chunk.map(row => row.cs.getPrimaryKey(true)) as never, chunk.map(row => row.cs.payload) as never, options);
    } else {
      await driver.nativeUpdate(meta.class, { [pk!.name]: { $in: chunk.map(row => row.cs.getPrimaryKey()) } } as never, data as never, options);
    }
  }
}

/** One chunk's values: shared ones as they are, the others as a CASE on the key; undefined when a column cannot take a CASE. */
function caseData(em: EntityManager, meta: EntityMetadata, pk: EntityProperty, chunk: readonly KeptRow[]): Row | undefined {
  const first = chunk[0]!.cs.payload as Row;
  const keys = new Set<string>();
  for (const { cs } of chunk) for (const key in cs.payload as Row) keys.add(key);
  const data: Row = {};
  const platform = em.getPlatform();
  const pkColumn = platform.quoteIdentifier(pk.fieldNames[0]!);
  for (const key of keys) {
    if (chunk.every(({ cs }) => key in (cs.payload as Row) && sameValue((cs.payload as Row)[key], first[key]))) {
      data[key] = first[key];
      continue;
    }
    const prop = meta.properties[key as never] as EntityProperty;
    if (prop.fieldNames.length !== 1 || (prop.customType !== undefined && 'convertToDatabaseValueSQL' in prop.customType)) return undefined;
    const column = platform.quoteIdentifier(prop.fieldNames[0]!);
    data[key] = caseOf(chunk, key, pkColumn, column);
  }
  return data;
}

/**
 * `CASE pk WHEN ? THEN ? … END` for values that differ by row; where rows share values (roots of one
 * flush stamped in the same millisecond), `CASE WHEN pk IN (?, ?) THEN ? … END`, fewer parameters.
 */
function caseOf(chunk: readonly KeptRow[], key: string, pkColumn: string, column: string): unknown {
  const groups = new Map<unknown, { value: unknown; keys: unknown[] }>();
  let rows = 0;
  for (const { cs } of chunk) {
    const payload = cs.payload as Row;
    if (!(key in payload)) continue;
    rows++;
    const value = payload[key] ?? null;
    const group = value instanceof Date ? value.getTime() : value !== null && typeof value === 'object' ? cs : value;
    let found = groups.get(group);
    if (found === undefined) groups.set(group, (found = { value, keys: [] }));
    found.keys.push(cs.getPrimaryKey());
  }
  const params: unknown[] = [];
  let sql = '';
  if (groups.size * 2 <= rows) {
    for (const { value, keys } of groups.values()) {
      sql += ` when ${pkColumn} in (${keys.map(() => '?').join(', ')}) then ?`;
      params.push(...keys, value);
    }
    return raw(`case${sql} else ${column} end`, params);
  }
  for (const { value, keys } of groups.values()) {
    for (const pk of keys) {
      sql += ' when ? then ?';
      params.push(pk, value);
    }
  }
  return raw(`case ${pkColumn}${sql} else ${column} end`, params);
}

/** How many rows from `start` (at most `size`) get the same values as the first. */
function sameValues(rows: readonly KeptRow[], start: number, size: number): number {
  const first = rows[start]!.cs.payload as Row;
  const keys = Object.keys(first);
  let end = start + 1;
  const last = Math.min(rows.length, start + size);
  for (; end < last; end++) {
    const payload = rows[end]!.cs.payload as Row;
    if (Utils.getObjectKeysSize(payload) !== keys.length || !keys.every(key => sameValue(first[key], payload[key]))) break;
  }
  return end - start;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Utils.equals(a, b);
}
