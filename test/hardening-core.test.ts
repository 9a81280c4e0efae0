// Hardening, part 5: bad input gets a typed `PluginError` with a `MOP_*` code, before anything is written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeChain, hook, plugin, PluginError, PluginRegistry, pluginSystem, TimestampPlugin, withoutPlugins, withPlugins } from '../src/index.js';
import { switchedOffPlugins } from '../src/bridge/scope.js';
import { loadPluginConfig, pluginOperations, readPluginState, refreshPluginState, setPluginPriority, syncPluginState } from '../src/operations/index.js';
import { describeEachDatabase, sqlite, type Database } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    hcWide: true;
  }
}

const root = resolve(import.meta.dirname, '..');
// Inside the checkout, so that configs written here resolve the project's node_modules.
// A fresh clone has no .tmp yet.
mkdirSync(join(root, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.tmp', 'hardening-core-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What a call threw, or undefined. */
async function thrown(fn: () => unknown): Promise<any> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('plugin config file', () => {
  test('plugins.dir holding a non-string is a typed error naming the option', async () => {
    for (const dir of [[42], [null], 42, ['']]) {
      const error = await thrown(() => loadPluginConfig({ cwd: scratch, config: { plugins: { dir } } as never, registry: new PluginRegistry() }));
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_CONFIG_LOAD_FAILED', option: 'plugins.dir' });
      expect(error.message).toContain('plugins.dir');
    }
  });

  test('a config whose top level is not an object is a typed error, not "no plugins"', async () => {
    for (const [name, body] of [
      ['number.mjs', 'export default 42;'],
      ['array.mjs', "export default ['./x.js'];"],
      ['null.mjs', 'export default null;'],
      ['fn.mjs', 'export default () => "plugins";'],
      ['top.json', '[1, 2]'],
    ] as const) {
      writeFileSync(join(scratch, name), body);
      const error = await thrown(() => loadPluginConfig({ cwd: scratch, file: name, registry: new PluginRegistry() }));
      expect(error, name).toBeInstanceOf(PluginError);
      expect(error.code).toBe('MOP_CONFIG_LOAD_FAILED');
      expect(error.message).toMatch(/must be an object/);
    }
    for (const config of [42, null, [], 'x']) {
      const error = await thrown(() => loadPluginConfig({ cwd: scratch, config: config as never, registry: new PluginRegistry() }));
      expect(error).toMatchObject({ code: 'MOP_CONFIG_LOAD_FAILED' });
    }
  });
});

@withPlugins(['timestamp', 'hcWide'])
@Entity({ tableName: 'hc_note' })
class HcNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', nullable: true }) title?: string;
  @Property({ type: 'datetime', nullable: true }) createdAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) updatedAt?: Date | null;
}

class HcNotAnEntity {}

/** A registry whose `hcWide` hook has a priority the integer column cannot hold. */
function registryWithWidePriority(): PluginRegistry {
  const registry = new PluginRegistry().register(TimestampPlugin);
  @plugin({ name: 'hcWide', registry })
  class HcWide {
    @hook('beforeCreate', { priority: 2 ** 40 }) wide() {}
  }
  void HcWide;
  return registry;
}

describeEachDatabase('priorities the database cannot hold', (db: Database) => {
  test('setPluginPriority refuses out-of-range and non-integer values before any write', async () => {
    const orm = await db.init({ entities: [HcNote], extensions: [pluginSystem({ registry: registryWithWidePriority() }), pluginOperations({ state: { pollInterval: false } })] });
    try {
      await refreshPluginState(orm, { force: true });
      // Sync stores a code priority the column cannot hold as null: "the code's", which it is.
      await syncPluginState(orm);
      expect(readPluginState(orm).find(r => r.plugin === 'hcWide' && r.entity === '*')?.priority).toBeNull();
      const before = JSON.stringify(readPluginState(orm));
      for (const value of [2 ** 40, 2 ** 31, -(2 ** 31) - 1, 99999999999, Number.NaN, Number.POSITIVE_INFINITY, 1.5, '5']) {
        const error = await thrown(() => setPluginPriority(orm, 'timestamp', value as number));
        expect(error, String(value)).toBeInstanceOf(PluginError);
        expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'timestamp', option: 'priority' });
      }
      await refreshPluginState(orm, { force: true });
      expect(JSON.stringify(readPluginState(orm))).toBe(before);
      for (const value of [2 ** 31 - 1, -(2 ** 31)]) expect((await setPluginPriority(orm, 'timestamp', value)).priority).toBe(value);
    } finally {
      await orm.close(true);
    }
  });
});

describe('describeChain of something that is not an entity', () => {
  test('a typed MOP_UNKNOWN_ENTITY, with a did-you-mean for a near name', async () => {
    const orm = await sqlite.init({ entities: [HcNote], extensions: [pluginSystem({ registry: registryWithWidePriority() })] });
    try {
      const error = await thrown(() => describeChain(orm, HcNotAnEntity, 'beforeCreate'));
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY', entity: 'HcNotAnEntity' });
      const near = await thrown(() => describeChain(orm, 'HcNotes' as never, 'beforeCreate'));
      expect(near).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
      expect(near.message).toContain("did you mean 'HcNote'?");
      for (const value of [null, undefined, 42]) expect(await thrown(() => describeChain(orm, value as never, 'beforeCreate'))).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
    } finally {
      await orm.close(true);
    }
  });
});

/** Wrong values a plain-JavaScript caller might pass: never a string. */
const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, false, 0n),
  fc.object(),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.object())),
  fc.string().map(s => Symbol(s)),
  fc.func(fc.anything()),
  fc.constant(() => undefined),
  fc.constant(function unmarked() {}),
);

function expectTyped(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PluginError);
  expect((error as PluginError).code).toMatch(/^MOP_/);
}

describe('plain-JavaScript misuse of the registration API', () => {
  test('the listed cases', () => {
    const registry = new PluginRegistry();
    for (const call of [
      () => (hook as any)(),
      () => (hook as any)(42),
      () => (hook as any)([]),
      () => (hook as any)('beforeCreate', null),
      () => (hook as any)('beforeCreate', { before: 42 }),
      () => (plugin as any)(42),
      () => (plugin as any)(null),
      () => (plugin as any)({}),
      () => (plugin as any)({ name: 42 }),
      () => (plugin as any)({ name: 'hcDecorated', registry: false })(42),
      () => registry.registerMany(null as never),
      () => registry.registerMany(42 as never),
      () => registry.register(null as never),
      () => registry.register(42 as never),
      () => registry.register('hcArrow', (() => undefined) as never),
    ]) {
      expectTyped(call);
    }
  });

  test('every wrong value is a typed rejection, never a raw TypeError', () => {
    const registry = new PluginRegistry();
    fc.assert(
      fc.property(wrongValue, value => {
        expectTyped(() => (hook as any)(value));
        if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) expectTyped(() => (hook as any)('beforeCreate', value));
        if (typeof (value as { name?: unknown })?.name !== 'string' || typeof value === 'function') expectTyped(() => (plugin as any)(value));
        if (typeof value !== 'function') expectTyped(() => (plugin as any)({ name: 'hcAny', registry: false })(value));
        expectTyped(() => registry.register(value as never));
        if (typeof value !== 'function' || value.prototype === undefined) expectTyped(() => registry.register('hcAny', value as never));
        if (typeof value !== 'object' || value === null || (Array.isArray(value) && value.length > 0)) expectTyped(() => registry.registerMany(value as never));
      }),
      { numRuns: 400 },
    );
    expect(registry.names()).toEqual([]);
  });
});

describe('withoutPlugins belongs to the async context', () => {
  const tick = () => new Promise(resolve => setTimeout(resolve, 1));

  test('two interleaved flows each see only their own scope', async () => {
    const seen = { inside: [] as (string[] | undefined)[], outside: [] as (string[] | undefined)[] };
    const look = () => (switchedOffPlugins() ? [...switchedOffPlugins()!] : undefined);
    const inside = withoutPlugins(['timestamp'], async () => {
      for (let i = 0; i < 5; i++) (seen.inside.push(look()), await tick());
    });
    const outside = (async () => {
      for (let i = 0; i < 5; i++) (seen.outside.push(look()), await tick());
    })();
    await Promise.all([inside, outside]);
    expect(seen.inside).toEqual(Array(5).fill(['timestamp']));
    expect(seen.outside).toEqual(Array(5).fill(undefined));
  });

  test('work started inside a scope keeps its plugins off after the scope ended, whatever else runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>(resolve => (release = resolve));
    let later!: Promise<ReadonlySet<string> | undefined>;
    await withoutPlugins(['timestamp'], async () => {
      later = gate.then(() => switchedOffPlugins());
    });
    release();
    expect([...((await later) ?? [])]).toEqual(['timestamp']);
    // The same with an unrelated scope open elsewhere: the answer does not change.
    let releaseOther!: () => void;
    const other = withoutPlugins(['softDelete'], () => new Promise<void>(resolve => (releaseOther = resolve)));
    let again!: Promise<ReadonlySet<string> | undefined>;
    await withoutPlugins(['timestamp'], async () => {
      again = tick().then(() => switchedOffPlugins());
    });
    expect([...((await again) ?? [])]).toEqual(['timestamp']);
    releaseOther();
    await other;
    expect(switchedOffPlugins()).toBeUndefined();
  });
});

// The built CLI: `npm run build` output, run by other Node versions than the one running the tests.
describe('the CLI binary', () => {
  const bin = join(root, 'dist/cli/main.js');
  const node20 = ['/usr/bin/node', '/bin/node', '/usr/local/bin/node'].find(path => {
    if (!existsSync(path)) return false;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return /^v(1\d|2[01])\./.test(version) || /^v22\.(\d|1[0-6])\./.test(version);
  });

  beforeAll(() => {
    // The build bundles what tsc emits even when another part of the checkout has type errors; dist/cli is what matters.
    spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
    if (!existsSync(bin)) throw new Error(`build did not produce ${bin}`);
  }, 180_000);

  test.skipIf(node20 === undefined)(`on Node < 22.17 it exits 1 saying Node 22.17+ is needed (${node20 ?? 'no older Node on this machine: skipped'})`, () => {
    for (const args of [['--help'], ['list']]) {
      const result = spawnSync(node20!, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(result.signal).toBeNull();
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/needs Node\.js 22\.17 or later/);
      expect(result.stdout).toBe('');
    }
  });

  test('`priority x 99999999999` is refused with a typed error, nothing written', () => {
    const app = join(scratch, 'cli-app');
    mkdirSync(app, { recursive: true });
    const dist = (path: string) => JSON.stringify(join(root, 'dist', path));
    writeFileSync(
      join(app, 'mikro-orm.config.mjs'),
      `import { EntitySchema } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { pluginSystem, PluginRegistry, TimestampPlugin } from ${dist('index.js')};
import { pluginOperations } from ${dist('operations/index.js')};
const Thing = new EntitySchema({ name: 'HcThing', properties: { id: { type: 'integer', primary: true } } });
export default { driver: SqliteDriver, dbName: ${JSON.stringify(join(app, 'db.sqlite'))}, entities: [Thing],
  extensions: [pluginSystem({ registry: new PluginRegistry().register(TimestampPlugin) }), pluginOperations()] };
`,
    );
    const result = spawnSync(process.execPath, [bin, 'priority', 'timestamp', '99999999999', '--json', '--config', join(app, 'mikro-orm.config.mjs')], {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('MOP_INVALID_OPTIONS');
    expect(out.error.message).toMatch(/priority/i);
    expect(out.error.message).toContain('2147483647');
  }, 120_000);
});
