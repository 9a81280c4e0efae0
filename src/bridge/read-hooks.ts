import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import type { EntityChains } from '../chain/build-chains.js';
import { DispatchContext, type AroundContext, type ChainLink } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { FindOneCall, ReadMethod, ReadOptions, ReadOptionsContext } from '../events.js';
import { withFilterJoinHooks, type FilterJoinHooks } from './orm-internals/index.js';
import { findRuntime } from './runtimes.js';
import { switchedOffPlugins } from './scope.js';
import { isPromiseLike } from './sync-discovery.js';

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/**
 * The read hooks, as a layer under the package's EntityManager: `readOptions` before every read
 * method, `interceptFindOne` around findOne, and `afterJoinsPlanned`/`joinedFilters` where MikroORM
 * plans the joins of a read. findAll, findAndCount and findByCursor call find and count, findOneOrFail
 * and reference loads call findOne. A read no hook concerns gets MikroORM's own promise back untouched,
 * so reads (dataloader and populate queries included) run in MikroORM's order.
 */
export function withReadHooks<T extends EntityManagerClass>(Base: T): T {
  const Concrete = withFilterJoinHooks(Base, JOIN_HOOKS) as unknown as new (...args: any[]) => EntityManager;

  class ReadHooks extends Concrete {
    override find(entityName: any, where: any, options?: any): Promise<any> {
      const chains = readChainsOf(this, entityName);
      if (chains === undefined) return super.find(entityName, where, options);
      return withReadOptions(this, chains, 'find', options, prepared => super.find(entityName, where, prepared));
    }

    override findOne(entityName: any, where: any, options?: any): Promise<any> {
      const chains = readChainsOf(this, entityName);
      if (chains === undefined) return super.findOne(entityName, where, options);
      return withReadOptions(this, chains, 'findOne', options, prepared => {
        const around = chains.chains.interceptFindOne;
        if (around === null) return super.findOne(entityName, where, prepared);
        const ctx = new FindOneContext(this, chains.meta, where, prepared ?? EMPTY, () => super.findOne(entityName, where, prepared));
        return dispatch(around, ctx, undefined) as Promise<any>;
      });
    }

    override count(entityName: any, where?: any, options?: any): Promise<number> {
      const chains = readChainsOf(this, entityName);
      if (chains === undefined) return super.count(entityName, where, options);
      return withReadOptions(this, chains, 'count', options, prepared => super.count(entityName, where, prepared));
    }

    override countBy(entityName: any, groupBy: any, options?: any): Promise<any> {
      const chains = readChainsOf(this, entityName);
      if (chains === undefined) return super.countBy(entityName, groupBy, options);
      return withReadOptions(this, chains, 'countBy', options, prepared => super.countBy(entityName, groupBy, prepared));
    }

    override stream(entityName: any, options?: any): AsyncIterableIterator<any> {
      const chains = readChainsOf(this, entityName);
      if (chains === undefined) return super.stream(entityName, options);
      let prepared: unknown;
      try {
        prepared = readOptions(this, chains, 'stream', options);
      } catch (error) {
        return failing(error);
      }
      if (isPromiseLike(prepared)) return streamAfter(prepared, resolved => super.stream(entityName, resolved));
      return super.stream(entityName, prepared as never);
    }
  }

  return ReadHooks as unknown as T;
}

interface ReadChains {
  readonly meta: EntityMetadata;
  readonly chains: EntityChains;
}

/** The entity's chains when some read hook is attached anywhere in the ORM and the entity has chains. */
function readChainsOf(em: EntityManager, entityName: unknown): ReadChains | undefined {
  const runtime = findRuntime(em);
  if (runtime === undefined || !runtime.readHooks || entityName == null) return undefined;
  const meta = em.getMetadata().find(entityName as never);
  const chains = runtime.chainsOf(meta);
  return chains === undefined ? undefined : { meta: meta!, chains };
}

class ReadContext extends DispatchContext implements ReadOptionsContext {
  declare readonly event: 'readOptions';

  constructor(
    em: EntityManager,
    meta: EntityMetadata,
    readonly method: ReadMethod,
  ) {
    super('readOptions', em, meta, undefined, switchedOffPlugins());
  }
}

/** The options after the `readOptions` chain: the caller's object itself when no hook changes them. */
function readOptions(em: EntityManager, { meta, chains }: ReadChains, method: ReadMethod, options: unknown): unknown {
  const chain = chains.readOptions;
  if (chain === null) return options;
  const result = dispatch(chain, new ReadContext(em, meta, method), options ?? EMPTY);
  return result === EMPTY ? options : result;
}

/** Runs a read with the prepared options; a hook that throws rejects, as an async method would. */
function withReadOptions<R>(em: EntityManager, chains: ReadChains, method: ReadMethod, options: unknown, read: (prepared: any) => Promise<R>): Promise<R> {
  let prepared: unknown;
  try {
    prepared = readOptions(em, chains, method, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return isPromiseLike(prepared) ? Promise.resolve(prepared).then(read) : read(prepared);
}

const EMPTY: ReadOptions = Object.freeze({});

/** The context of an `interceptFindOne` chain: each hook gets a `FindOneCall` of its own. */
class FindOneContext extends DispatchContext implements AroundContext {
  constructor(
    em: EntityManager,
    meta: EntityMetadata,
    readonly where: any,
    readonly findOptions: ReadOptions,
    readonly inner: () => Promise<unknown>,
  ) {
    super('interceptFindOne', em, meta, undefined, switchedOffPlugins());
  }

  callFor(link: ChainLink, proceed: () => Promise<unknown>): FindOneCall {
    return new Call(this, link, proceed);
  }
}

class Call implements FindOneCall {
  readonly event = 'interceptFindOne';
  readonly plugin: string;
  readonly options: any;
  readonly em: EntityManager;
  readonly meta: EntityMetadata;
  readonly where: any;
  readonly findOptions: ReadOptions;
  readonly load: () => Promise<any>;

  constructor(ctx: FindOneContext, link: ChainLink, proceed: () => Promise<unknown>) {
    this.plugin = link.plugin;
    this.options = link.options;
    this.em = ctx.em;
    this.meta = ctx.meta;
    this.where = ctx.where;
    this.findOptions = ctx.findOptions;
    this.load = proceed as () => Promise<any>;
  }
}

class JoinContext extends DispatchContext {
  constructor(
    event: 'afterJoinsPlanned' | 'joinedFilters',
    em: EntityManager,
    meta: EntityMetadata,
    readonly findOptions: ReadOptions,
  ) {
    super(event, em, meta, undefined, switchedOffPlugins());
  }
}

/**
 * The `afterJoinsPlanned` and `joinedFilters` chains, where MikroORM plans a read's joins. MikroORM may
 * pass a relation's `targetMeta`, not always the object discovery keeps: the chains are looked up by class.
 */
const JOIN_HOOKS: FilterJoinHooks = {
  concerns(em, meta) {
    const chains = meta && readChainsOf(em, meta.class)?.chains;
    return chains !== undefined && (chains.afterJoinsPlanned !== null || chains.joinedFilters !== null);
  },
  afterJoinsPlanned(em, meta, options) {
    const found = readChainsOf(em, meta.class);
    const chain = found?.chains.afterJoinsPlanned ?? null;
    return chain === null ? undefined : dispatch(chain, new JoinContext('afterJoinsPlanned', em, found!.meta, options ?? EMPTY), options);
  },
  afterJoinedFilters(em, meta, options, joined) {
    const found = readChainsOf(em, meta.class);
    const chain = found?.chains.joinedFilters ?? null;
    if (chain === null || joined == null) return joined;
    return dispatch(chain, new JoinContext('joinedFilters', em, found!.meta, options ?? EMPTY), joined);
  },
};

async function* failing(error: unknown): AsyncIterableIterator<never> {
  throw error;
}

async function* streamAfter(prepared: PromiseLike<unknown>, open: (options: any) => AsyncIterableIterator<any>): AsyncIterableIterator<any> {
  yield* open(await prepared);
}
