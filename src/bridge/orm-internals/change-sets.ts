import { Raw, Utils, type ChangeSet, type EntityMetadata, type EntityProperty, type Platform, type UnitOfWork } from '@mikro-orm/core';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

/**
 * Writes the properties a batch hook set into the change sets' payloads, as `UnitOfWork.runHooks`
 * does after a per-entity hook (snapshot before, snapshot after, diff merged into the payload): in
 * snapshot form (`EntityComparator.getPropertySnapshot`), only where the value changed, in property order.
 */
export function writeHookFields(platform: Platform, changeSets: readonly ChangeSet<any>[], props: readonly EntityProperty[]): void {
  if (props.length === 0) return;
  const names = props.map(prop => prop.name);
  // Chosen once per property and batch: the per-row loop then only converts and compares.
  const snapshots = props.map(prop => snapshotterOf(platform, prop));
  for (let i = 0; i < changeSets.length; i++) {
    const cs = changeSets[i]!;
    const entity = cs.entity as Record<string, unknown>;
    const payload = cs.payload as Record<string, unknown>;
    // Hooks often give several properties one value (createdAt and updatedAt one Date): its snapshot
    // is computed once per row when it is a primitive, which two payload keys can share.
    let lastValue: unknown = undefined;
    let lastSnapshot: Snapshotter | undefined;
    let lastAfter: unknown;
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const value = entity[name];
      if (value === undefined) continue;
      const snapshot = snapshots[j]!;
      const after = value === lastValue && snapshot === lastSnapshot ? lastAfter : snapshot(value);
      if (after === null || typeof after !== 'object') {
        lastValue = value;
        lastSnapshot = snapshot;
        lastAfter = after;
      }
      const before = name in payload ? payload[name] : (cs.originalEntity as Record<string, unknown> | undefined)?.[name];
      // A property the payload lacks (a create's timestamps) is written without a comparison.
      if (before === undefined ? after !== undefined : before !== after && !sameSnapshot(before, after)) payload[name] = after;
    }
  }
}

type Snapshotter = (value: unknown) => unknown;

/** The snapshot form of a defined value of the property (`EntityComparator.getPropertySnapshot`); one function per platform for dates and plain values, so equal functions mean equal snapshots. */
function snapshotterOf(platform: Platform, prop: EntityProperty): Snapshotter {
  const customType = prop.customType;
  if (customType) {
    const primitive = PRIMITIVE.has(customType.compareAsType().toLowerCase());
    return value => {
      const converted = Raw.isKnownFragment(value) ? value : customType.convertToDatabaseValue(value, platform, { mode: 'serialization' });
      return primitive ? converted : Utils.copy(converted);
    };
  }
  if (prop.runtimeType === 'Date') return dateSnapshotter(platform);
  if (!prop.array && PRIMITIVE.has(prop.type.toLowerCase())) return asIs;
  return value => Utils.copy(value);
}

const asIs: Snapshotter = value => value;

const dateSnapshotters = new WeakMap<Platform, Snapshotter>();

function dateSnapshotter(platform: Platform): Snapshotter {
  let snapshot = dateSnapshotters.get(platform);
  if (snapshot === undefined) dateSnapshotters.set(platform, (snapshot = value => copied(platform.processDateProperty(value))));
  return snapshot;
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

/**
 * The order MikroORM writes a flush's entity classes in (`UnitOfWork#getCommitOrder`, private): creates
 * and updates go class by class in it, deletes in reverse. Batched after-hooks run in the same order.
 */
export function commitOrder(uow: UnitOfWork): readonly EntityMetadata[] {
  return (uow as unknown as { getCommitOrder(): EntityMetadata[] }).getCommitOrder();
}
