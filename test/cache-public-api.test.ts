// The extension points the cache plugin is built on (Plugin.interceptFindOne, onCommit), exercised by
// plugins of the test's own; and a check that the cache plugin imports nothing the package does not export.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineEntity, p } from '@mikro-orm/core';
import ts from 'typescript';
import { afterEach, describe, expect, test } from 'vitest';
import { CachePlugin } from '../src/cache.js';
import { onCommit, plugin, pluginSystem, PluginRegistry, usePlugins, withoutPlugins, type FindOneCall } from '../src/index.js';
import { describeEachDatabase, sqlite, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    findOuter: { label: string };
    findInner: { label: string };
    findDeny: { ids: readonly number[] };
  }
}

const trace: string[] = [];

/** Records each findOne it sees, then passes it on. */
class FindTrace {
  async interceptFindOne(call: FindOneCall<{ label: string }>): Promise<unknown> {
    trace.push(`${call.options.label}:${call.meta.className}:${String(call.where)}${call.findOptions.filters === false ? ':unfiltered' : ''}`);
    const found = await call.load();
    trace.push(`${call.options.label}:${found ? 'found' : 'none'}`);
    return found;
  }
}

@plugin({ name: 'findOuter', registry: false })
class FindOuterPlugin extends FindTrace {}

@plugin({ name: 'findInner', registry: false })
class FindInnerPlugin extends FindTrace {}

/** Answers `null` for the ids its options deny, without asking the database. */
@plugin({ name: 'findDeny', registry: false })
class FindDenyPlugin {
  interceptFindOne(call: FindOneCall<{ ids: readonly number[] }>): Promise<unknown> {
    if (typeof call.where === 'number' && call.options.ids.includes(call.where)) {
      trace.push(`deny:${call.where}`);
      return Promise.resolve(null);
    }
    return call.load();
  }
}

// Chain order, as for every hook kind: here equal priorities, so registration order (not the entity's list order).
const registry = new PluginRegistry().registerMany({ findOuter: FindOuterPlugin, findDeny: FindDenyPlugin, findInner: FindInnerPlugin, cache: CachePlugin });

function entities() {
  const Guarded = usePlugins(defineEntity({ name: 'Guarded', properties: { id: p.integer().primary(), name: p.string() } }), [
    { findInner: { label: 'inner' } },
    { findDeny: { ids: [2] } },
    { findOuter: { label: 'outer' } },
  ]);
  const Open = defineEntity({ name: 'Open', properties: { id: p.integer().primary(), name: p.string() } });
  return { Guarded, Open };
}

describeEachDatabase('Plugin.interceptFindOne', db => {
  let orm: TestOrm;
  afterEach(async () => {
    trace.length = 0;
    await orm?.close();
  });

  test('plugins nest around findOne in chain order; one may answer without the database; a switched-off one is skipped', async () => {
    const { Guarded, Open } = entities();
    orm = await db.init({ entities: [Guarded, Open], extensions: [pluginSystem({ registry })] });
    const em = orm.em.fork();
    em.create(Guarded, { id: 1, name: 'one' });
    em.create(Guarded, { id: 2, name: 'two' });
    em.create(Open, { id: 1, name: 'open' });
    await em.flush();

    expect((await orm.em.fork().findOne(Guarded, 1))?.name).toBe('one');
    expect(trace).toEqual(['outer:Guarded:1', 'inner:Guarded:1', 'inner:found', 'outer:found']);
    trace.length = 0;
    // The row exists, but the middle plugin answers first: the inner one and MikroORM are never asked.
    expect(await orm.em.fork().findOne(Guarded, 2)).toBeNull();
    expect(trace).toEqual(['outer:Guarded:2', 'deny:2', 'outer:none']);
    await expect(orm.em.fork().findOneOrFail(Guarded, 2)).rejects.toThrow();
    trace.length = 0;
    expect((await withoutPlugins(['findDeny'], () => orm.em.fork().findOne(Guarded, 2, { filters: false })))?.name).toBe('two');
    expect(trace).toEqual(['outer:Guarded:2:unfiltered', 'inner:Guarded:2:unfiltered', 'inner:found', 'outer:found']);
    trace.length = 0;
    // An entity without those plugins: nothing intercepts.
    expect((await orm.em.fork().findOne(Open, 1))?.name).toBe('open');
    expect(trace).toEqual([]);
  });

  test('onCommit runs after the outermost transaction commits, never after a rollback, and at once outside one', async () => {
    // The cache plugin hooks afterCommit, so transaction events are subscribed when an entity uses it.
    const Cached = usePlugins(defineEntity({ name: 'CommitCached', properties: { id: p.integer().primary() } }), ['cache']);
    orm = await db.init({ entities: [Cached], extensions: [pluginSystem({ registry })] });
    const ran: string[] = [];
    await onCommit(orm.em.fork(), () => ran.push('outside'));
    expect(ran).toEqual(['outside']);
    await expect(
      orm.em.fork().transactional(async em => {
        await onCommit(em, () => ran.push('rolled back'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await orm.em.fork().transactional(async em => {
      await em.transactional(async inner => {
        await onCommit(inner, () => ran.push('nested'));
      });
      expect(ran).toEqual(['outside']);
    });
    expect(ran).toEqual(['outside', 'nested']);
  });
});

describe('the cache plugin is written against the public API', () => {
  test('every import it takes from the package (outside its folder) is exported by a public entry point', () => {
    const root = fileURLToPath(new URL('../src/', import.meta.url));
    const entries = ['core.ts', 'operations/index.ts', 'cache.ts'].map(e => `${root}${e}`);
    const program = ts.createProgram(entries, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, experimentalDecorators: true, noEmit: true });
    const checker = program.getTypeChecker();
    const exported = new Set(entries.flatMap(e => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(e)!)!).map(s => s.name)));
    expect(exported.has('CachePlugin')).toBe(true);

    const folder = `${root}plugins/cache/`;
    const outside: string[] = [];
    for (const file of readdirSync(folder).filter(f => f.endsWith('.ts'))) {
      const source = ts.createSourceFile(file, readFileSync(folder + file, 'utf8'), ts.ScriptTarget.ES2022);
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const from = statement.moduleSpecifier.text;
        if (!from.startsWith('../')) continue; // its own files, node: modules, @mikro-orm/core, ioredis, lru-cache
        const bindings = statement.importClause?.namedBindings;
        const names = bindings && ts.isNamedImports(bindings) ? bindings.elements.map(e => (e.propertyName ?? e.name).text) : ['*'];
        for (const name of names) if (!exported.has(name)) outside.push(`${file}: ${name} from ${from}`);
      }
    }
    expect(outside).toEqual([]);
  }, 60_000);
});

describe('cache options', () => {
  test('two entities with one prefix fail start-up with MOP_CACHE_PREFIX_TAKEN, naming the entity and the option', async () => {
    const A = usePlugins(defineEntity({ name: 'PrefixA', properties: { id: p.integer().primary() } }), [{ cache: { prefix: 'shared' } }]);
    const B = usePlugins(defineEntity({ name: 'PrefixB', properties: { id: p.integer().primary() } }), [{ cache: { prefix: 'shared', store: 'memory' } }]);
    const error = await sqlite.init({ entities: [A, B], extensions: [pluginSystem({ registry })] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'PluginConfigError', code: 'MOP_CACHE_PREFIX_TAKEN', entity: 'PrefixB', plugin: 'cache', option: 'prefix' });
    expect(String((error as Error).message)).toContain("'PrefixA' and 'PrefixB' use the same cache prefix 'shared'");
  });

  test('a store that lacks a method of the interface fails start-up with MOP_INVALID_OPTIONS', async () => {
    const half = { name: 'half', read: () => ({ stamp: '1', value: undefined }), fill: () => true };
    const C = usePlugins(defineEntity({ name: 'HalfStore', properties: { id: p.integer().primary() } }), [{ cache: { store: half as never } }]);
    await expect(sqlite.init({ entities: [C], extensions: [pluginSystem({ registry })] })).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'HalfStore', plugin: 'cache' });
  });
});
