// The dispatcher's contract, proved by counting, never by timing:
// sync chains stay sync (no promise), async hooks are awaited once each and in order,
// sync hooks are never awaited, veto chains stop at `false`, errors are tagged, skip sets skip.
import { createHook } from 'node:async_hooks';
import { EntitySchema, MikroORM, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chainScope } from '../src/bridge/runtime-chains.js';
import { buildEntityChains, type EntityChains } from '../src/chain/build-chains.js';
import { DispatchContext, type Chain } from '../src/chain/chain.js';
import { dispatch } from '../src/chain/dispatch.js';
import { HookError, ValidationError, hook, PluginRegistry, type HookContext, type PluginClass } from '../src/index.js';

// ------------------------------------------------------------------------------------ fixtures
const ENTITY = 'Post';
let orm: MikroORM;
let em: EntityManager;
let meta: EntityMetadata;

beforeAll(async () => {
  orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities: [new EntitySchema({ name: ENTITY, properties: { id: { type: 'integer', primary: true } } })],
    allowGlobalContext: true,
  });
  em = orm.em;
  meta = orm.getMetadata().getByClassName(ENTITY);
});

afterAll(async () => {
  await orm?.close(true);
});

interface Subject {
  log: string[];
}

type Impl = (entity: Subject, ctx: HookContext) => unknown;
type ChainEvent = 'beforeCreate' | 'beforeDelete';

/** A real plugin class: one method marked with `@hook`. */
function pluginWith(event: ChainEvent, method: string, impl: Impl): PluginClass {
  class HookPlugin {
    @hook(event)
    [method](entity: Subject, ctx: HookContext): any {
      return impl(entity, ctx);
    }
  }
  return HookPlugin;
}

interface Spec {
  name: string;
  impl: Impl;
  method?: string;
  options?: unknown;
}

/** Registers the plugins in a fresh registry and compiles the entity's chains with the real builder. */
function chainsOf(event: ChainEvent, specs: readonly Spec[]): EntityChains {
  const registry = new PluginRegistry();
  const classes = specs.map(s => pluginWith(event, s.method ?? 'run', s.impl));
  specs.forEach((s, i) => registry.register(s.name, classes[i]!));
  const attached = specs.map((s, rank) => ({
    definition: registry.definition(s.name)!,
    instance: new classes[rank]!(),
    options: s.options ?? {},
    hooks: registry.definition(s.name)!.hooks,
    rank,
  }));
  return buildEntityChains(ENTITY, attached, chainScope(registry));
}

function chainOf(event: 'beforeCreate', specs: readonly Spec[]): Chain<false>;
function chainOf(event: 'beforeDelete', specs: readonly Spec[]): Chain<true>;
function chainOf(event: ChainEvent, specs: readonly Spec[]): Chain {
  const chain = chainsOf(event, specs)[event];
  if (chain === null) throw new Error('expected a chain');
  expect(chain.links.map(l => l.plugin)).toEqual(specs.map(s => s.name));
  return chain;
}

const context = (event: ChainEvent, skip?: ReadonlySet<string>) => new DispatchContext(event, em, meta, undefined, skip);
const subject = (): Subject => ({ log: [] });
const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';

/** Counts the promises V8 creates while `fn` runs (synchronously). */
function promisesCreatedBy<T>(fn: () => T): { result: T; promises: number } {
  let promises = 0;
  const probe = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  });
  probe.enable();
  let result: T;
  try {
    result = fn();
  } finally {
    probe.disable();
  }
  return { result, promises };
}

/**
 * A thenable that counts how often `then` is called (once per `await` of it) and settles on a
 * later macrotask, logging when it does, so anything that runs before it settled shows in the log.
 */
class CountedThenable implements PromiseLike<unknown> {
  thenCalls = 0;

  constructor(
    private readonly log: string[],
    private readonly label: string,
    private readonly outcome: { value?: unknown; error?: unknown } = {},
  ) {}

  then<R1 = unknown, R2 = never>(onFulfilled?: ((value: unknown) => R1 | PromiseLike<R1>) | null, onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): PromiseLike<R1 | R2> {
    this.thenCalls++;
    setImmediate(() => {
      this.log.push(`settled ${this.label}`);
      if ('error' in this.outcome) onRejected?.(this.outcome.error);
      else onFulfilled?.(this.outcome.value);
    });
    return this as unknown as PromiseLike<R1 | R2>;
  }
}

/** Microtask ticks until `promise` settles, counted by a loop of `await null` running alongside it. */
async function ticksUntilSettled(promise: PromiseLike<unknown>): Promise<number> {
  let settled = false;
  void Promise.resolve(promise).then(
    () => (settled = true),
    () => (settled = true),
  );
  let ticks = 0;
  while (!settled) {
    if (ticks > 10_000) throw new Error('did not settle within 10 000 microtasks');
    await null;
    ticks++;
  }
  return ticks;
}

// ------------------------------------------------------------------------------------ (a) sync chains
describe('a chain of sync hooks', () => {
  const specs = Array.from({ length: 20 }, (_, i): Spec => ({ name: `sync${i}`, impl: e => void e.log.push(`run ${i}`) }));

  test('runs all 20 in order, synchronously, and returns undefined without creating a promise', () => {
    const chain = chainOf('beforeCreate', specs);
    const entity = subject();
    const { result, promises } = promisesCreatedBy(() => dispatch(chain, context('beforeCreate'), entity));
    expect(result).toBeUndefined();
    expect(promises).toBe(0);
    expect(entity.log).toEqual(specs.map((_, i) => `run ${i}`));
  });

  test('the promise counter does see promises (the zero above can fail)', () => {
    const chain = chainOf('beforeCreate', [...specs.slice(0, 3), { name: 'async', impl: async () => {} }]);
    const { result, promises } = promisesCreatedBy(() => dispatch(chain, context('beforeCreate'), subject()));
    expect(isThenable(result)).toBe(true);
    expect(promises).toBeGreaterThan(0);
    return result as Promise<void>;
  });

  test('each hook sees its own plugin name and options on the context', () => {
    const seen: [string, unknown][] = [];
    const record: Impl = (_e, ctx) => void seen.push([ctx.plugin, ctx.options]);
    const chain = chainOf('beforeCreate', [
      { name: 'first', impl: record, options: { a: 1 } },
      { name: 'second', impl: record, options: { b: 2 } },
    ]);
    dispatch(chain, context('beforeCreate'), subject());
    expect(seen).toEqual([
      ['first', { a: 1 }],
      ['second', { b: 2 }],
    ]);
  });

  test('a sync hook returning false does not stop a non-veto chain', () => {
    const chain = chainOf('beforeCreate', [
      { name: 'no', impl: e => (e.log.push('no'), false) },
      { name: 'after', impl: e => void e.log.push('after') },
    ]);
    const entity = subject();
    expect(dispatch(chain, context('beforeCreate'), entity)).toBeUndefined();
    expect(entity.log).toEqual(['no', 'after']);
  });
});

// ------------------------------------------------------------------------------------ (b) async chains
describe('a chain with async hooks', () => {
  /** `pattern`: 'a' = async hook returning a counted thenable, 's' = sync hook. */
  function mixedChain(pattern: string, entity: Subject) {
    const thenables: CountedThenable[] = [];
    const specs = [...pattern].map((kind, i): Spec => ({
      name: `${kind}${i}`,
      impl: kind === 'a'
        ? e => {
            e.log.push(`start ${i}`);
            const t = new CountedThenable(e.log, String(i));
            thenables.push(t);
            return t;
          }
        : e => void e.log.push(`start ${i}`),
    }));
    return { chain: chainOf('beforeCreate', specs), thenables, entity };
  }

  test.each(['a', 'aaaaa', 'saaas', 'asasa', 'sssas'])('%s: runs strictly in order and awaits each async hook exactly once', async pattern => {
    const entity = subject();
    const { chain, thenables } = mixedChain(pattern, entity);
    const result = dispatch(chain, context('beforeCreate'), entity);
    expect(isThenable(result)).toBe(true);
    // Nothing after the first async hook may start before it settled.
    const firstAsync = pattern.indexOf('a');
    expect(entity.log).toEqual([...pattern.slice(0, firstAsync + 1)].map((_, i) => `start ${i}`));
    await expect(result).resolves.toBeUndefined();

    const expected: string[] = [];
    [...pattern].forEach((kind, i) => {
      expected.push(`start ${i}`);
      if (kind === 'a') expected.push(`settled ${i}`);
    });
    expect(entity.log).toEqual(expected);
    const asyncHooks = [...pattern].filter(k => k === 'a').length;
    expect(thenables).toHaveLength(asyncHooks);
    expect(thenables.map(t => t.thenCalls)).toEqual(thenables.map(() => 1));
  });

  test('native async hooks: as many microtask ticks as a loop with one await per async hook and none per sync hook', async () => {
    const hooksOf = (pattern: string) => [...pattern].map(kind => (kind === 'a' ? async () => {} : () => undefined));
    // The reference: exactly one `await` per async hook, none for sync ones.
    const reference = async (pattern: string) => {
      const run = async () => {
        for (const fn of hooksOf(pattern)) {
          const result: unknown = fn();
          if (isThenable(result)) await result;
        }
      };
      return ticksUntilSettled(run());
    };
    const ours = async (pattern: string) => {
      const specs = hooksOf(pattern).map((fn, i): Spec => ({ name: `${pattern[i]}${i}`, impl: fn }));
      const result = dispatch(chainOf('beforeCreate', specs), context('beforeCreate'), subject());
      expect(isThenable(result)).toBe(true);
      return ticksUntilSettled(result as Promise<void>);
    };
    const one = await ours('a');
    const perAsyncHook = (await ours('aa')) - one;
    expect(perAsyncHook).toBeGreaterThan(0);
    for (const pattern of ['a', 'aa', 'aaa', 'aaaaa', 'aaaaaaaa', 'sssssa', 'assssss', 'sasssasss', 'ssasasasassss']) {
      const asyncHooks = [...pattern].filter(k => k === 'a').length;
      const ticks = await ours(pattern);
      expect(ticks, pattern).toBe(await reference(pattern));
      // Sync hooks before, between and after async ones cost no tick: they are never awaited.
      expect(ticks, pattern).toBe(one + (asyncHooks - 1) * perAsyncHook);
    }
  });

  test('a sync hook after an async one runs in the same microtask as the next sync hook', async () => {
    const entity = subject();
    const chain = chainOf('beforeCreate', [
      { name: 'slow', impl: async e => void e.log.push('slow') },
      { name: 'probe', impl: e => (e.log.push('probe'), void queueMicrotask(() => e.log.push('microtask'))) },
      { name: 'next', impl: e => void e.log.push('next') },
    ]);
    await dispatch(chain, context('beforeCreate'), entity);
    // An `await` between `probe` and `next` would let the queued microtask run first.
    expect(entity.log).toEqual(['slow', 'probe', 'next', 'microtask']);
  });
});

// ------------------------------------------------------------------------------------ (c) veto
describe('a veto chain (beforeDelete)', () => {
  const vetoSpecs = (mode: 'sync' | 'async'): Spec[] => {
    const wrap = (value: unknown): Impl => (e: Subject, ctx: HookContext) => {
      e.log.push(ctx.plugin);
      return mode === 'async' ? Promise.resolve(value) : value;
    };
    return [
      { name: 'allow', impl: wrap(undefined) },
      { name: 'allowToo', impl: wrap(true) },
      { name: 'veto', impl: wrap(false) },
      { name: 'never', impl: wrap(undefined) },
    ];
  };

  test('sync: stops at the first false and returns false', () => {
    const entity = subject();
    expect(dispatch(chainOf('beforeDelete', vetoSpecs('sync')), context('beforeDelete'), entity)).toBe(false);
    expect(entity.log).toEqual(['allow', 'allowToo', 'veto']);
  });

  test('async: stops at the first false and resolves to false', async () => {
    const entity = subject();
    const result = dispatch(chainOf('beforeDelete', vetoSpecs('async')), context('beforeDelete'), entity);
    expect(isThenable(result)).toBe(true);
    await expect(result).resolves.toBe(false);
    expect(entity.log).toEqual(['allow', 'allowToo', 'veto']);
  });

  test('mixed: a sync false after an async hook vetoes', async () => {
    const entity = subject();
    const chain = chainOf('beforeDelete', [
      { name: 'slow', impl: async e => void e.log.push('slow') },
      { name: 'veto', impl: e => (e.log.push('veto'), false) },
      { name: 'never', impl: e => void e.log.push('never') },
    ]);
    await expect(dispatch(chain, context('beforeDelete'), entity)).resolves.toBe(false);
    expect(entity.log).toEqual(['slow', 'veto']);
  });

  test('no false: every hook runs and nothing is vetoed', async () => {
    const entity = subject();
    const specs = vetoSpecs('sync').filter(s => s.name !== 'veto');
    expect(dispatch(chainOf('beforeDelete', specs), context('beforeDelete'), entity)).toBeUndefined();
    expect(entity.log).toEqual(['allow', 'allowToo', 'never']);
    const asyncEntity = subject();
    const asyncSpecs = vetoSpecs('async').filter(s => s.name !== 'veto');
    await expect(dispatch(chainOf('beforeDelete', asyncSpecs), context('beforeDelete'), asyncEntity)).resolves.toBeUndefined();
    expect(asyncEntity.log).toEqual(['allow', 'allowToo', 'never']);
  });
});

// ------------------------------------------------------------------------------------ (d) errors
describe('a failing hook', () => {
  type Mode = 'sync throw' | 'async reject' | 'sync throw after an async hook';
  const positions = { first: 0, middle: 2, last: 4 } as const;

  function failingChain(mode: Mode, at: number, original: unknown, entity: Subject) {
    const specs = Array.from({ length: 5 }, (_, i): Spec => {
      if (i === at) {
        return {
          name: `plugin${i}`,
          method: 'explode',
          impl: e => {
            e.log.push(`run ${i}`);
            if (mode === 'async reject') return Promise.reject(original);
            throw original;
          },
        };
      }
      const asyncHook = mode === 'async reject' || (mode === 'sync throw after an async hook' && i === 0);
      return {
        name: `plugin${i}`,
        impl: asyncHook ? async e => void e.log.push(`run ${i}`) : e => void e.log.push(`run ${i}`),
      };
    });
    return chainOf('beforeCreate', specs);
  }

  function expectTagged(error: unknown, at: number, original: unknown) {
    expect(error).toBeInstanceOf(HookError);
    const e = error as HookError;
    expect(e.code).toBe('MOP_HOOK_FAILED');
    expect(e.plugin).toBe(`plugin${at}`);
    expect(e.hook).toBe('explode (beforeCreate)');
    expect(e.hook).toContain('explode');
    expect(e.entity).toBe(ENTITY);
    expect(e.cause).toBe(original);
    expect(e.message).toContain(`plugin${at}.explode`);
    expect(e.message).toContain(ENTITY);
  }

  for (const [where, at] of Object.entries(positions)) {
    test(`sync throw, ${where}: throws a tagged HookError synchronously and stops the chain`, () => {
      const original = new Error('boom');
      const entity = subject();
      const chain = failingChain('sync throw', at, original, entity);
      let caught: unknown;
      try {
        dispatch(chain, context('beforeCreate'), entity);
      } catch (error) {
        caught = error;
      }
      expectTagged(caught, at, original);
      expect(entity.log).toEqual(Array.from({ length: at + 1 }, (_, i) => `run ${i}`));
    });

    test(`async reject, ${where}: rejects with a tagged HookError and stops the chain`, async () => {
      const original = new Error('boom');
      const entity = subject();
      const result = dispatch(failingChain('async reject', at, original, entity), context('beforeCreate'), entity);
      expect(isThenable(result)).toBe(true);
      const caught = await (result as Promise<void>).then(
        () => undefined,
        (error: unknown) => error,
      );
      expectTagged(caught, at, original);
      expect(entity.log).toEqual(Array.from({ length: at + 1 }, (_, i) => `run ${i}`));
    });
  }

  for (const [where, at] of Object.entries(positions).filter(([, at]) => at > 0)) {
    test(`sync throw after an async hook, ${where}: rejects with a tagged HookError and stops the chain`, async () => {
      const original = new Error('boom');
      const entity = subject();
      const result = dispatch(failingChain('sync throw after an async hook', at, original, entity), context('beforeCreate'), entity);
      expect(isThenable(result)).toBe(true);
      const caught = await (result as Promise<void>).then(
        () => undefined,
        (error: unknown) => error,
      );
      expectTagged(caught, at, original);
      expect(entity.log).toEqual(Array.from({ length: at + 1 }, (_, i) => `run ${i}`));
    });
  }

  test('a thrown non-Error is kept as the cause', () => {
    const original = { reason: 'not an Error' };
    const entity = subject();
    let caught: unknown;
    try {
      dispatch(failingChain('sync throw', 2, original, entity), context('beforeCreate'), entity);
    } catch (error) {
      caught = error;
    }
    expectTagged(caught, 2, original);
  });

  test('a PluginError thrown by a hook passes through, filled in with what it lacks', () => {
    const original = new ValidationError(ENTITY, [{ field: 'title', message: 'required' }]);
    const entity = subject();
    let caught: unknown;
    try {
      dispatch(failingChain('sync throw', 1, original, entity), context('beforeCreate'), entity);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(original);
    expect(original.code).toBe('MOP_VALIDATION_FAILED');
    expect(original.plugin).toBe('validation');
    expect(original.hook).toBe('explode (beforeCreate)');
    expect(entity.log).toEqual(['run 0', 'run 1']);
  });
});

// ------------------------------------------------------------------------------------ (e) skip sets
describe('plugins switched off for a call (DispatchContext.skip)', () => {
  const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];

  test.each([[[]], [['p0']], [['p1', 'p3']], [['p5']], [['p0', 'p2', 'p4']], [names], [['unrelated']]])('sync chain, skip %j', skipped => {
    const chain = chainOf('beforeCreate', names.map(name => ({ name, impl: (e: Subject) => void e.log.push(name) })));
    const entity = subject();
    expect(dispatch(chain, context('beforeCreate', new Set(skipped)), entity)).toBeUndefined();
    expect(entity.log).toEqual(names.filter(n => !skipped.includes(n)));
  });

  test.each([[['p0']], [['p1', 'p3']], [['p5']], [['p0', 'p2', 'p4']], [['p2', 'p3', 'p4', 'p5']]])('async chain, skip %j', async skipped => {
    // p1 is async: later hooks run in the async tail, which checks the skip set on its own path.
    const chain = chainOf(
      'beforeCreate',
      names.map(name => ({ name, impl: name === 'p1' ? async (e: Subject) => void e.log.push(name) : (e: Subject) => void e.log.push(name) })),
    );
    const entity = subject();
    const result = dispatch(chain, context('beforeCreate', new Set(skipped)), entity);
    if (!skipped.includes('p1')) expect(isThenable(result)).toBe(true);
    await result;
    expect(entity.log).toEqual(names.filter(n => !skipped.includes(n)));
  });

  test('a skipped veto hook cannot veto', () => {
    const chain = chainOf('beforeDelete', [
      { name: 'veto', impl: () => false },
      { name: 'after', impl: e => void e.log.push('after') },
    ]);
    const entity = subject();
    expect(dispatch(chain, context('beforeDelete', new Set(['veto'])), entity)).toBeUndefined();
    expect(entity.log).toEqual(['after']);
  });
});
