import type { EntityManager, EntityMetadata, FilterQuery, FindOneOptions } from '@mikro-orm/core';

// The contexts of the read-side hooks: queryFilter, readOptions, the join hooks and interceptFindOne.

/** Context of a `queryFilter` hook: MikroORM calls it for each read, update or delete of the entity. */
export interface QueryFilterContext<O = any, E = any> {
  readonly plugin: string;
  readonly options: O;
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
  /** Per-call arguments: `filters: { [pluginName]: args }` on a find. */
  readonly args: Record<string, unknown> | undefined;
  readonly type: 'read' | 'update' | 'delete';
}

/** The read methods whose options `readOptions` hooks see. */
export type ReadMethod = 'find' | 'findOne' | 'count' | 'countBy' | 'stream';

/** Context of the read hooks (`readOptions`, `afterJoinsPlanned`, `joinedFilters`). */
export interface ReadContext<O = any, E = any> {
  readonly event: 'readOptions' | 'afterJoinsPlanned' | 'joinedFilters';
  readonly plugin: string;
  /** This plugin's options for the entity read, or undefined when the hook runs for an entity the plugin is not attached to (`appliesTo`). */
  readonly options: O | undefined;
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
}

/** What the join hooks get: the options of the read whose joins MikroORM planned. */
export interface JoinContext<O = any, E = any> extends ReadContext<O, E> {
  readonly findOptions: ReadOptions;
}

/** What `readOptions` hooks get: the caller's options of one read, and which read it is. */
export interface ReadOptionsContext<O = any, E = any> extends ReadContext<O, E> {
  readonly method: ReadMethod;
}

/** Per-call read options as hooks see them: MikroORM's, plus whatever plugins declare on them. */
export type ReadOptions = Readonly<Record<string, any>>;

/** One `em.findOne` call as an `interceptFindOne` hook sees it. It lives for one call; do not keep it. */
export interface FindOneCall<O = any, E extends object = any> {
  readonly event: 'interceptFindOne';
  readonly plugin: string;
  /** This plugin's options for the entity (undefined for an entity it is not attached to, see `appliesTo`). */
  readonly options: O;
  /** The entity manager the call was made on (a fork, or the global one). */
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
  /** As given: a primary key, a where-condition, or (reference loads) the uninitialized reference itself. */
  readonly where: FilterQuery<E>;
  /** The caller's findOne options, after the `readOptions` hooks (an empty object when none were given). */
  readonly findOptions: Readonly<FindOneOptions<E, any, any, any>>;
  /** The rest of the call: the next `interceptFindOne` hook, then MikroORM's own findOne. */
  load(): Promise<E | null>;
}
