import { Collection, ReferenceKind, type EntityManager, type EntityMetadata, type EntityProperty, type MetadataStorage } from '@mikro-orm/core';
import { currentContext, managedById, metadataOf, pluginOptions } from '../../core.js';
import { cascadeRelations } from './cascade-relations.js';
import { newStamp, type DeletionStamp } from './deletion-stamp.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

/** How the parent a row was cascaded from is being deleted: in a batch of this flush, or not at all (it was already). */
export type ParentDeletion = { readonly stamp: DeletionStamp } | 'alreadyDeleted';

/**
 * Which parents can cascade a deletion to rows of one entity, worked out once per ORM and entity: the
 * plugin options are fixed after discovery. Most entities have none, and then a removal checks nothing.
 */
interface ParentPaths {
  /** Owning to-one relations of the row whose target cascades back along the inverse side. */
  readonly toOne: readonly { readonly prop: EntityProperty; readonly options: SoftDeleteOptions }[];
  /** Entities (by class name) with a many-to-many cascade relation that may hold the row. */
  readonly manyToMany: ReadonlyMap<string, { readonly options: SoftDeleteOptions; readonly props: readonly EntityProperty[] }>;
}

const NONE: ParentPaths = { toOne: [], manyToMany: new Map() };
const plans = new WeakMap<MetadataStorage, WeakMap<EntityMetadata, ParentPaths>>();

function parentPaths(em: EntityManager, meta: EntityMetadata): ParentPaths {
  const storage = em.getMetadata();
  let byMeta = plans.get(storage);
  if (!byMeta) plans.set(storage, (byMeta = new WeakMap()));
  let found = byMeta.get(meta);
  if (!found) byMeta.set(meta, (found = planParentPaths(em, storage, meta)));
  return found;
}

function planParentPaths(em: EntityManager, storage: MetadataStorage, meta: EntityMetadata): ParentPaths {
  const cascading = (parentMeta: EntityMetadata) => {
    const options = pluginOptions(em, parentMeta.className, 'softDelete') as SoftDeleteOptions | undefined;
    return options && { options, relations: cascadeRelations(parentMeta, options) };
  };
  const toOne: { prop: EntityProperty; options: SoftDeleteOptions }[] = [];
  for (const prop of meta.relations) {
    if (!prop.inversedBy) continue;
    if (prop.kind !== ReferenceKind.MANY_TO_ONE && !(prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) continue;
    const parent = cascading(prop.targetMeta!);
    if (parent?.relations.some(r => r.name === prop.inversedBy)) toOne.push({ prop, options: parent.options });
  }
  // By hierarchy root: a collection of a base entity may hold rows of a subclass.
  const root = (m: EntityMetadata) => (m.root ?? m).className;
  const manyToMany = new Map<string, { options: SoftDeleteOptions; props: EntityProperty[] }>();
  for (const parentMeta of storage.getAll().values()) {
    const parent = cascading(parentMeta);
    const props = parent?.relations.filter(p => p.kind === ReferenceKind.MANY_TO_MANY && root(p.targetMeta!) === root(meta)) ?? [];
    if (props.length > 0) manyToMany.set(parentMeta.className, { options: parent!.options, props });
  }
  return toOne.length === 0 && manyToMany.size === 0 ? NONE : { toOne, manyToMany };
}

/**
 * For a row MikroORM cascaded `em.remove()` to (loaded, along a `Cascade.Remove` relation): the
 * parent's batch, which it joins, or `alreadyDeleted` when the parent was deleted before, so that
 * removing a deleted row changes nothing below it either. MikroORM has by then cut the row out of
 * a one-to-many collection of the parent, so it finds the parent among this flush's removals by its
 * own foreign key as loaded, or by the parent's loaded many-to-many collection that holds it.
 */
export function parentDeletion(em: EntityManager, entity: object, meta: EntityMetadata): ParentDeletion | undefined {
  const paths = parentPaths(em, meta);
  if (paths === NONE) return undefined;
  const uow = em.getUnitOfWork();
  const original = uow.getOriginalEntityData(entity) as Row | undefined;
  if (!original) return undefined;
  for (const { parent, options } of cascadingParents(em, entity, original, paths)) {
    if ((uow.getOriginalEntityData(parent) as Row | undefined)?.[options.field] != null) return 'alreadyDeleted';
    if (parent[options.field] == null) continue; // not soft-deleted in this flush (a hard delete marks its rows itself)
    const by = options.deletedBy === false ? undefined : (parent[options.deletedBy] as string | null);
    const batch = options.batchField === false ? newStamp(em).batch : (parent[options.batchField] as string);
    return { stamp: { batch, at: parent[options.field] as Date, by: by ?? currentContext(em).actor ?? null } };
  }
  return undefined;
}

interface CascadingParent {
  readonly parent: Row;
  readonly options: SoftDeleteOptions;
}

/** The entities being removed in this flush that cascade to `entity`. */
function* cascadingParents(em: EntityManager, entity: object, original: Row, paths: ParentPaths): Generator<CascadingParent> {
  const removing = em.getUnitOfWork().getRemoveStack();
  for (const { prop, options } of paths.toOne) {
    if (original[prop.name] == null) continue;
    const parent = managedById(em, prop.targetMeta!.class, original[prop.name]) as Row | undefined;
    if (parent && removing.has(parent)) yield { parent, options };
  }
  if (paths.manyToMany.size === 0) return;
  for (const parent of removing) {
    if (parent === entity) continue;
    const found = paths.manyToMany.get(metadataOf(em, parent).className);
    for (const prop of found?.props ?? []) {
      const items = (parent as Row)[prop.name];
      if (items instanceof Collection && items.isInitialized() && items.contains(entity, false)) yield { parent: parent as Row, options: found!.options };
    }
  }
}
