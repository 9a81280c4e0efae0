import { Cascade, Collection, ReferenceKind, Reference, Utils, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { PluginOptionsError } from '../../core.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

// M:N targets may be shared with other owners: a cascade takes them all, the pivot rows stay (so a restore finds them).
const CASCADABLE: ReadonlySet<string> = new Set([ReferenceKind.ONE_TO_MANY, ReferenceKind.ONE_TO_ONE, ReferenceKind.MANY_TO_ONE, ReferenceKind.MANY_TO_MANY]);

/** Start-up check: every name in `cascade` is a relation of the entity. */
export function checkCascadeOption(meta: EntityMetadata, options: SoftDeleteOptions): void {
  for (const name of options.cascade) {
    const prop = meta.properties[name as never] as EntityProperty | undefined;
    if (prop && CASCADABLE.has(prop.kind)) continue;
    throw new PluginOptionsError({
      plugin: 'softDelete',
      entity: meta.className,
      option: 'cascade',
      expected: `names of relations of ${meta.className} (1:m, 1:1, m:1 or m:n)`,
      received: name,
    });
  }
}

// Per metadata and options: two ORMs may attach the plugin to one class with different options.
const memo = new WeakMap<EntityMetadata, { options: SoftDeleteOptions; relations: readonly EntityProperty[] }>();

/**
 * The relations a deletion follows: those named in `cascade` plus those marked `Cascade.Remove`
 * (MikroORM cascades `em.remove()` along these to loaded rows anyway, so they must share the batch).
 */
export function cascadeRelations(meta: EntityMetadata, options: SoftDeleteOptions): readonly EntityProperty[] {
  const known = memo.get(meta);
  if (known?.options === options) return known.relations;
  const relations = meta.relations.filter(
    prop => CASCADABLE.has(prop.kind) && (options.cascade.includes(prop.name) || (prop.cascade ?? []).some(c => c === Cascade.REMOVE || c === Cascade.ALL)),
  );
  memo.set(meta, { options, relations });
  return relations;
}

/** The rows at the other end of `prop`, queried through `em` (its filters apply unless `options` lift them); `where` narrows them. */
export async function relatedRows(em: EntityManager, entity: object, prop: EntityProperty, where: Row, options: object): Promise<object[]> {
  const target = prop.targetMeta!;
  if (prop.kind === ReferenceKind.MANY_TO_MANY) {
    // Through the pivot table, from either side, without touching the collection's own items.
    const collection = (entity as Row)[prop.name];
    if (!(collection instanceof Collection)) return [];
    return collection.matching({ where: where as never, store: false, ...options });
  }
  if (prop.kind === ReferenceKind.ONE_TO_MANY || (prop.kind === ReferenceKind.ONE_TO_ONE && !prop.owner)) {
    return em.find(target.class, { ...where, [prop.mappedBy]: entity } as never, options);
  }
  // m:1 and owning 1:1: the foreign key names the one row.
  const raw = (entity as Row)[prop.name] as object | null | undefined;
  const key = raw == null ? null : Utils.getPrimaryKeyCond(Reference.unwrapReference(raw), target.primaryKeys as never);
  if (key == null) return [];
  return em.find(target.class, { ...where, ...key } as never, options);
}
