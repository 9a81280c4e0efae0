// Every hook kind goes through the one dispatcher: order by priority, `withoutPlugins`, errors tagged
// with plugin, hook and entity, and `describeChain` showing the kind. Real ORM, real reads (SQLite).
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroORM, type FilterQuery } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import {
  HookError,
  PluginRegistry,
  describeChain,
  hook,
  pluginSystem,
  withPlugins,
  withoutPlugins,
  type FindOneCall,
  type QueryFilterContext,
  type ReadOptions,
  type ReadOptionsContext,
} from '../src/index.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    archive: true;
    outer: true;
    inner: true;
    trace: true;
    failing: true;
  }
}

const log: string[] = [];

class Around {
  constructor(readonly name: string) {}
  async around(call: FindOneCall): Promise<unknown> {
    log.push(`${this.name}>`);
    const found = await call.load();
    log.push(`<${this.name}`);
    return found;
  }
}

class OuterPlugin extends Around {
  constructor() {
    super('outer');
  }
  @hook('interceptFindOne', { priority: -10 })
  wrap(call: FindOneCall) {
    return this.around(call);
  }
}

class InnerPlugin extends Around {
  constructor() {
    super('inner');
  }
  @hook('interceptFindOne', { priority: 10 })
  wrap(call: FindOneCall) {
    return this.around(call);
  }
}

/** A per-call option of its own (`includeArchived`), a filter, and a second filter hook ordered before the first. */
class ArchivePlugin {
  @hook('readOptions')
  includeArchived(options: ReadOptions, ctx: ReadOptionsContext): ReadOptions | undefined {
    log.push(`archive.readOptions ${ctx.method} ${ctx.meta.className}`);
    if (options.includeArchived !== true) return undefined;
    const { includeArchived: _, ...rest } = options;
    return { ...rest, filters: { archive: false } };
  }

  @hook('queryFilter', { priority: 5 })
  hideArchived(_ctx: QueryFilterContext): FilterQuery<any> {
    log.push('archive.hideArchived');
    return { archived: false };
  }

  @hook('queryFilter', { priority: -5 })
  nothing(): undefined {
    log.push('archive.nothing');
    return undefined;
  }
}

/** Waterfall: sees what the archive plugin's hook left, on every entity (`appliesTo: 'all'`). */
class TraceReadsPlugin {
  @hook('readOptions', { priority: 50, appliesTo: 'all' })
  trace(options: ReadOptions, ctx: ReadOptionsContext): ReadOptions {
    log.push(`trace ${ctx.meta.className} filters=${JSON.stringify(options.filters ?? null)} options=${JSON.stringify(ctx.options ?? null)}`);
    return options;
  }
}

class FailingAroundPlugin {
  @hook('interceptFindOne')
  fail(): Promise<unknown> {
    throw new Error('boom');
  }
}

@withPlugins(['archive', 'outer', 'inner'])
@Entity()
class Note {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) archived: boolean = false;
}

@Entity()
class Plain {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

@withPlugins(['failing'])
@Entity()
class Broken {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

let orm: MikroORM | undefined;
afterEach(async () => {
  await orm?.close(true);
  orm = undefined;
  log.length = 0;
});

async function setUp(): Promise<MikroORM> {
  const registry = new PluginRegistry().registerMany({
    archive: ArchivePlugin,
    outer: OuterPlugin,
    inner: InnerPlugin,
    trace: TraceReadsPlugin,
    failing: FailingAroundPlugin,
  });
  orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities: [Note, Plain, Broken],
    extensions: [pluginSystem({ registry, entities: { Note: ['trace'] } })],
  });
  await orm.schema.create();
  const em = orm.em.fork();
  em.create(Note, { id: 1, title: 'live', archived: false });
  em.create(Note, { id: 2, title: 'old', archived: true });
  em.create(Plain, { id: 1 });
  await em.flush();
  log.length = 0;
  return orm;
}

describe('around (interceptFindOne)', () => {
  test('hooks nest by priority around MikroORM’s findOne, which runs once', async () => {
    const o = await setUp();
    const found = await o.em.fork().findOne(Note, 1);
    expect(found?.title).toBe('live');
    expect(log.filter(l => /[<>]/.test(l))).toEqual(['outer>', 'inner>', '<inner', '<outer']);
    // The filter ran inside, as part of MikroORM's query.
    expect(log.indexOf('archive.hideArchived')).toBeGreaterThan(log.indexOf('inner>'));
  });

  test('withoutPlugins skips a hook of the chain, the rest still nests', async () => {
    const o = await setUp();
    await withoutPlugins(['outer'], () => o.em.fork().findOne(Note, 1));
    expect(log.filter(l => /[<>]/.test(l))).toEqual(['inner>', '<inner']);
  });

  test('a hook that throws is tagged with plugin, hook and entity; an error from MikroORM passes through untagged', async () => {
    const o = await setUp();
    const error = await o.em.fork().findOne(Broken, 1).catch(e => e);
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'failing', hook: 'fail (interceptFindOne)', entity: 'Broken' });
    expect(error.cause).toBeInstanceOf(Error);
    const inner = await o.em.fork().findOne(Note, { nowhere: 1 } as never).catch(e => e);
    expect(inner).toBeInstanceOf(Error);
    expect(inner).not.toBeInstanceOf(HookError);
  });
});

describe('waterfall (readOptions) and collect (queryFilter)', () => {
  test('readOptions hooks run in priority order, each on what the previous one returned', async () => {
    const o = await setUp();
    const notes = await o.em.fork().find(Note, {}, { includeArchived: true } as never);
    expect(notes.map(n => n.title).sort()).toEqual(['live', 'old']);
    expect(log).toContain('archive.readOptions find Note');
    // trace (priority 50) ran after archive (0) and saw its result.
    expect(log.find(l => l.startsWith('trace Note'))).toBe('trace Note filters={"archive":false} options={}');
    // The filter was lifted: its hooks did not run.
    expect(log).not.toContain('archive.hideArchived');
  });

  test('a read without the option keeps the caller’s options, and the filter hooks run in priority order', async () => {
    const o = await setUp();
    expect((await o.em.fork().find(Note, {})).map(n => n.title)).toEqual(['live']);
    expect(await o.em.fork().count(Note)).toBe(1);
    expect(log.filter(l => l.startsWith('archive.') && !l.includes('readOptions'))).toEqual([
      'archive.nothing',
      'archive.hideArchived',
      'archive.nothing',
      'archive.hideArchived',
    ]);
  });

  test('a hook with appliesTo "all" runs for an entity its plugin is not attached to, without options', async () => {
    const o = await setUp();
    await o.em.fork().find(Plain, {});
    expect(log).toEqual(['trace Plain filters=null options=null']);
  });
});

test('describeChain shows each kind, in run order', async () => {
  const o = await setUp();
  expect(describeChain(o, Note, 'interceptFindOne')).toEqual([
    { plugin: 'outer', method: 'wrap', event: 'interceptFindOne', kind: 'around', priority: -10 },
    { plugin: 'inner', method: 'wrap', event: 'interceptFindOne', kind: 'around', priority: 10 },
  ]);
  expect(describeChain(o, Note, 'readOptions').map(h => [h.plugin, h.kind])).toEqual([
    ['archive', 'waterfall'],
    ['trace', 'waterfall'],
  ]);
  expect(describeChain(o, Note, 'queryFilter').map(h => [h.method, h.kind])).toEqual([
    ['nothing', 'collect'],
    ['hideArchived', 'collect'],
  ]);
  expect(describeChain(o, Plain, 'readOptions').map(h => h.plugin)).toEqual(['trace']);
  expect(describeChain(o, Plain, 'interceptFindOne')).toEqual([]);
});
