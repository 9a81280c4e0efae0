import { Raw, Utils, type ChangeSet, type EntityProperty, type Platform } from '@mikro-orm/core';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

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
