import { ChangeSetType, ReferenceKind, Utils, type ChangeSet, type EntityManager, type EntityMetadata, type EventArgs, type EventSubscriber } from '@mikro-orm/core';
import { writeClass, type KeptRow } from './kept-rows-sql.js';
import { LATE_SUBSCRIBER, PER_ENTITY_SUBSCRIBER } from './batch-plan.js';
import { declaredNoChangeSetReader } from './change-set-readers.js';
import { PLUGIN_SUBSCRIBER } from './event-order.js';
import { checkChangedTypes, diffSinceSnapshot, replaceSnapshot } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';

type AnyChangeSet = ChangeSet<any>;
type Row = Record<string, unknown>;


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
    if (subscriber[PER_ENTITY_SUBSCRIBER] === true || subscriber[LATE_SUBSCRIBER] === true || declaredNoChangeSetReader(subscriber)) continue;
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
