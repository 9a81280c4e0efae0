import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import type { FindOneCall, Plugin } from '../plugin-api.js';
import { findRuntime } from './runtimes.js';
import type { PluginRuntime } from './plugin-runtime.js';

type AnyOptions = Record<string, any>;
type Interceptor = (call: FindOneCall) => Promise<unknown>;

interface Attached {
  readonly plugin: string;
  readonly options: unknown;
  readonly intercept: Interceptor;
}

/** The plugins with `interceptFindOne` of one ORM, by entity class name. */
interface Table {
  readonly runtime: PluginRuntime;
  readonly entities: ReadonlyMap<string, readonly Attached[]>;
}

/** Per ORM configuration: its table, or null when no entity has an intercepting plugin (findOne then costs one lookup). */
const tables = new WeakMap<object, Table | null>();

/**
 * `Plugin.interceptFindOne` dispatch, for the PluginEntityManager's `findOne` override: the table of
 * the em's ORM, or null when nothing intercepts. Built on the first findOne, after discovery (entities
 * get their plugins at discovery, and only then).
 */
export function findOneInterceptors(em: EntityManager): Table | null {
  let table = tables.get(em.config);
  if (table === undefined) tables.set(em.config, (table = buildTable(em)));
  return table;
}

function buildTable(em: EntityManager): Table | null {
  const runtime = findRuntime(em);
  if (!runtime) return null;
  const entities = new Map<string, Attached[]>();
  for (const [entity, list] of runtime.attachments()) {
    const attached: Attached[] = [];
    for (const { plugin, options } of list) {
      const instance = runtime.instanceOf(plugin) as Plugin | undefined;
      if (typeof instance?.interceptFindOne === 'function') attached.push({ plugin, options, intercept: instance.interceptFindOne.bind(instance) });
    }
    if (attached.length > 0) entities.set(entity, attached);
  }
  return entities.size > 0 ? { runtime, entities } : null;
}

/** Runs the intercepting plugins of the entity around `load` (MikroORM's own findOne). */
export function interceptFindOne(em: EntityManager, table: Table, entityName: unknown, where: unknown, options: AnyOptions | undefined, load: () => Promise<any>): Promise<any> {
  const meta = entityName == null ? undefined : em.getMetadata().find(entityName as never);
  const attached = meta && table.entities.get(meta.className);
  if (!attached) return load();
  return next({ runtime: table.runtime, attached, em, meta: meta!, where, findOptions: options ?? EMPTY, load }, 0);
}

const EMPTY: AnyOptions = Object.freeze({});

interface Pending {
  readonly runtime: PluginRuntime;
  readonly attached: readonly Attached[];
  readonly em: EntityManager;
  readonly meta: EntityMetadata;
  readonly where: any;
  readonly findOptions: AnyOptions;
  readonly load: () => Promise<any>;
}

/** The first active interceptor from `from` on, or MikroORM's findOne when none is left. */
function next(pending: Pending, from: number): Promise<any> {
  const className = pending.meta.className;
  for (let i = from; i < pending.attached.length; i++) {
    const attached = pending.attached[i]!;
    if (pending.runtime.isActive(attached.plugin, className)) return attached.intercept(new Call(pending, i, attached));
  }
  return pending.load();
}

/** What one interceptor gets; `load()` moves on to the next one. */
class Call implements FindOneCall {
  readonly plugin: string;
  readonly options: unknown;
  readonly em: EntityManager;
  readonly meta: EntityMetadata;
  readonly where: any;
  readonly findOptions: AnyOptions;
  readonly #pending: Pending;
  readonly #index: number;

  constructor(pending: Pending, index: number, attached: Attached) {
    this.plugin = attached.plugin;
    this.options = attached.options;
    this.em = pending.em;
    this.meta = pending.meta;
    this.where = pending.where;
    this.findOptions = pending.findOptions;
    this.#pending = pending;
    this.#index = index;
  }

  load(): Promise<any> {
    return next(this.#pending, this.#index + 1);
  }
}
