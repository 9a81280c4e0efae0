import { helper, validateProperty, type ChangeSet, type EntityManager, type EntityMetadata } from '@mikro-orm/core';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

type Row = Record<string, unknown>;

/** What changed on an entity since its snapshot, and the snapshot it has now; undefined for an uninitialized reference. */
export interface EntityDiff {
  readonly payload: Row;
  readonly snapshot: Row;
}

/**
 * The update `UnitOfWork.recomputeSingleChangeSet` would compute for a loaded entity, without the
 * relation processing, the property `onUpdate` callbacks and the unique-key check (the caller only
 * takes an entity whose class has none of those, and a payload of plain scalar properties): the
 * comparator's diff of the snapshot and the entity.
 */
export function diffSinceSnapshot(em: EntityManager, cs: ChangeSet<any>): EntityDiff | undefined {
  const wrapped = helper(cs.entity);
  const original = wrapped.__originalEntityData as Row | undefined;
  if (!wrapped.__initialized || original === undefined) return undefined;
  const comparator = em.getComparator();
  const snapshot = comparator.prepareEntity(cs.entity) as Row;
  const payload = comparator.getEntityComparator(cs.meta.class)(original as never, snapshot as never) as Row;
  return { payload, snapshot };
}

/**
 * MikroORM's type check of an entity it computes a change set for (`validateEntity`), on the properties
 * the payload changes: the others still hold what was loaded, which passed. Throws its `ValidationError`.
 */
export function checkChangedTypes(cs: ChangeSet<any>, payload: Row): void {
  const props = cs.meta.validateProps;
  for (let i = 0; i < props.length; i++) {
    const prop = props[i]!;
    if (prop.name in payload) validateProperty(prop, (cs.entity as Row)[prop.name], cs.entity);
  }
}

/** Makes `data` the entity's snapshot, as MikroORM does once it wrote an update: the next flush diffs against it. */
export function replaceSnapshot(entity: object, data: Row): void {
  helper(entity).__originalEntityData = data as never;
}

/** The quoted table name MikroORM's own statements use for the entity in `schema` (`DatabaseDriver.getTableName`). */
export function tableNameOf(em: EntityManager, meta: EntityMetadata, schema: string | undefined): string {
  return (em.getDriver() as unknown as { getTableName(meta: EntityMetadata, options: { schema?: string }): string }).getTableName(meta, { schema });
}
