import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import { didYouMean } from '../../core.js';
import { RelationPathError } from './errors.js';

// `onlyDeleted` filters the entity read, not the relations it joins or populates. MikroORM hands one
// filter argument object to every entity a read touches, so the read's `readOptions` hook marks it
// with the entity read; the filter answers "deleted only" once, for that entity, and "live" for the
// rest. MikroORM applies the root's filters before it plans any join or populate, so the first call
// for that entity is the root's (a self-reference, joined later, reads live rows). A QueryBuilder
// filters its joins as they are added, before its root: there every call for the root entity counts.
// `relations` opts relation paths in: their target entities show deleted rows only too, on every call.

const ROOT = Symbol('softDelete:onlyDeletedRoot');

interface RootMark {
  readonly root: unknown;
  /** The target classes of the relation paths the read opted in (`onlyDeleted: { relations }`). */
  readonly targets: ReadonlySet<unknown>;
  /** Only the first call for the root entity is the root's (reads through the EntityManager). */
  readonly once: boolean;
  used: boolean;
}

type Args = Record<PropertyKey, unknown>;

/** Whether `args` (the softDelete filter's) ask for deleted rows and name no root yet. */
export function unmarkedOnlyDeleted(args: unknown): boolean {
  return args !== null && typeof args === 'object' && (args as Args).only === true && !(ROOT in args);
}

/** Filter arguments for deleted rows of `meta` (and of the targets of `relations`) only: a copy of `args` marked with its root. */
export function onlyDeletedOf(meta: EntityMetadata, args: object = { only: true }, once = true): Args {
  const targets = new Set(relationsOf(args).map(path => rootClassOf(targetOf(meta, path))));
  // With relations opted in, the root is deleted-only wherever the read meets it: populating the
  // opted-in relation joins back to it (MikroORM filters the owner of a to-one key), and must find it.
  const mark: RootMark = { root: rootClassOf(meta), targets, once: once && targets.size === 0, used: false };
  return { ...args, only: true, [ROOT]: mark };
}

/** The `relations` of `{ only: true, relations }`, checked: an array of relation paths. */
function relationsOf(args: object): readonly string[] {
  const relations = (args as Args).relations;
  if (relations === undefined) return [];
  if (!Array.isArray(relations) || relations.some(path => typeof path !== 'string')) {
    throw new RelationPathError(`onlyDeleted: 'relations' must be an array of relation paths ('books', 'books.author'), got ${JSON.stringify(relations) ?? typeof relations}`, {});
  }
  return relations as string[];
}

/** The entity a dotted relation path from `meta` reaches; a typed error for anything else. */
function targetOf(meta: EntityMetadata, path: string): EntityMetadata {
  let current = meta;
  for (const name of path.split('.')) {
    const prop = current.properties[name];
    if (prop === undefined || prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED || prop.targetMeta === undefined) {
      const relations = Object.values(current.properties).filter(p => p.targetMeta !== undefined && p.kind !== ReferenceKind.EMBEDDED).map(p => p.name);
      throw new RelationPathError(`onlyDeleted: relation path '${path}' of ${meta.className}: ${current.className} has no relation '${name}'${didYouMean(name, relations)}`, {
        entity: meta.className,
      });
    }
    current = prop.targetMeta;
  }
  return current;
}

/**
 * Whether the filter, applied to `meta` with these arguments, keeps deleted rows only. Unmarked
 * arguments (`em.setFilterParams`, `filters` given to a QueryBuilder) concern every entity, as MikroORM's filters do.
 */
export function keepsDeletedOnly(args: Args | undefined, meta: EntityMetadata): boolean {
  if (args?.only !== true) return false;
  const mark = args[ROOT] as RootMark | undefined;
  if (mark === undefined) return true;
  const target = rootClassOf(meta);
  if (!mark.used && mark.root === target) {
    mark.used = mark.once;
    return true;
  }
  return mark.targets.has(target);
}

// Single-table inheritance: a read of the root may filter through a child's metadata, and back.
const rootClassOf = (meta: EntityMetadata): unknown => (meta.root ?? meta).class;
