import type { EntityMetadata } from '@mikro-orm/core';

// `onlyDeleted` filters the entity read, not the relations it joins or populates. MikroORM hands one
// filter argument object to every entity a read touches, so the read's `readOptions` hook marks it
// with the entity read; the filter answers "deleted only" once, for that entity, and "live" for the
// rest. MikroORM applies the root's filters before it plans any join or populate, so the first call
// for that entity is the root's (a self-reference, joined later, reads live rows). A QueryBuilder
// filters its joins as they are added, before its root: there every call for the root entity counts.

const ROOT = Symbol('softDelete:onlyDeletedRoot');

interface RootMark {
  readonly root: unknown;
  /** Only the first call for the root entity is the root's (reads through the EntityManager). */
  readonly once: boolean;
  used: boolean;
}

type Args = Record<PropertyKey, unknown>;

/** Whether `args` (the softDelete filter's) ask for deleted rows and name no root yet. */
export function unmarkedOnlyDeleted(args: unknown): boolean {
  return args !== null && typeof args === 'object' && (args as Args).only === true && !(ROOT in args);
}

/** Filter arguments for deleted rows of `meta` only: a copy of `args` marked with its root. */
export function onlyDeletedOf(meta: EntityMetadata, args: object = { only: true }, once = true): Args {
  const mark: RootMark = { root: rootClassOf(meta), once, used: false };
  return { ...args, only: true, [ROOT]: mark };
}

/**
 * Whether the filter, applied to `meta` with these arguments, keeps deleted rows only. Unmarked
 * arguments (`em.setFilterParams`, `filters` given to a QueryBuilder) concern every entity, as MikroORM's filters do.
 */
export function keepsDeletedOnly(args: Args | undefined, meta: EntityMetadata): boolean {
  if (args?.only !== true) return false;
  const mark = args[ROOT] as RootMark | undefined;
  if (mark === undefined) return true;
  if (mark.used || mark.root !== rootClassOf(meta)) return false;
  mark.used = mark.once;
  return true;
}

// Single-table inheritance: a read of the root may filter through a child's metadata, and back.
const rootClassOf = (meta: EntityMetadata): unknown => (meta.root ?? meta).class;
