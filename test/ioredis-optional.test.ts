// ioredis is an optional peer dependency: importing the package never loads it, configuring a Redis
// store does, and an application without it gets a typed error saying to install it. The package is
// built as `npm run build` builds it (tools/build.mjs), into a private directory so that
// tests building dist/ at the same time do not race with this one, and run in child Node processes:
//   - from this checkout, where ioredis is installed: a resolve hook (module.registerHooks) records
//     every module loaded by the import, then by `redisStore({ url })`;
//   - from a throwaway application whose node_modules has the package and its other dependencies but no ioredis.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const built = join(root, `.tmp/ioredis-optional-${process.pid}`);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
let bare: string;

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(done => {
    execFile(node, args, { cwd, env: { ...process.env, NODE_NO_WARNINGS: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The last line a child printed, as JSON. */
function printed(result: { code: number; stdout: string; stderr: string }): any {
  expect(result.stderr + result.stdout).not.toMatch(/Error \[|^\s+at /m);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

beforeAll(async () => {
  const compiled = await run([join(root, 'tools/build.mjs'), `--out=${join(built, 'dist')}`], root);
  expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  writeFileSync(join(built, 'package.json'), readFileSync(join(root, 'package.json')));

  // The application without ioredis: a copy of the package (not a link: its real path must lie outside this
  // checkout, whose node_modules has ioredis), and links to every other dependency it and the app need.
  bare = mkdtempSync(join(tmpdir(), 'mop-no-ioredis-'));
  const modules = join(bare, 'node_modules');
  cpSync(built, join(modules, 'mikro-orm-plugins'), { recursive: true });
  const needed = [...new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@mikro-orm/sqlite'])].filter(name => name !== 'ioredis');
  for (const name of needed) {
    if (!existsSync(join(root, 'node_modules', name))) continue;
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'mop-no-ioredis', private: true, type: 'module' }));
}, 300_000);

afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  if (bare) rmSync(bare, { recursive: true, force: true });
});

describe('ioredis, an optional peer dependency', () => {
  // Records the URL of every module resolved after the hook is registered (import and require alike).
  const recorder = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); loaded.push(found.url); return found; } });
    const ioredis = () => loaded.filter(url => /[\\\\/]node_modules[\\\\/]ioredis[\\\\/]/.test(url));
    const pkg = await import(process.env.MOP_ENTRY);
    const onImport = { modules: loaded.length, ioredis: ioredis() };
    pkg.redisStore({ url: 'redis://127.0.0.1:6379' });
    console.log(JSON.stringify({ onImport, onRedisStore: ioredis() }));
  `;

  test('importing the built cache entry loads no ioredis module; configuring a Redis store loads it', async () => {
    const result = printed(await run(['--input-type=module', '-e', recorder], root, { MOP_ENTRY: pathToFileURL(join(built, 'dist/cache.js')).href }));
    // The hook saw the package's own modules, so it was recording.
    expect(result.onImport.modules).toBeGreaterThan(50);
    expect(result.onImport.ioredis).toEqual([]);
    expect(result.onRedisStore.length).toBeGreaterThan(0);
  }, 120_000);

  test('without ioredis installed, the package imports and works; a Redis store, configured either way, fails with a typed error saying to install it', async () => {
    writeFileSync(
      join(bare, 'app.mjs'),
      `
      import { MikroORM, defineEntity, p } from '@mikro-orm/sqlite';
      import { PluginError, pluginSystem, timestampProperties, usePlugins } from 'mikro-orm-plugins';
      import { redisStore } from 'mikro-orm-plugins/cache';
      const out = {};
      const caught = e => ({ name: e?.name, code: e?.code, plugin: e?.plugin, option: e?.option, message: e?.message, typed: e instanceof PluginError });
      try {
        redisStore({ url: 'redis://127.0.0.1:6379' });
        out.redisStore = 'created';
      } catch (e) {
        out.redisStore = caught(e);
      }
      const Cached = usePlugins(defineEntity({ name: 'Cached', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { store: 'redis://127.0.0.1:6379' } }]);
      try {
        const orm = await MikroORM.init({ dbName: ':memory:', entities: [Cached], extensions: [pluginSystem()] });
        out.redisUrl = 'started';
        await orm.close();
      } catch (e) {
        out.redisUrl = caught(e);
      }
      const Note = usePlugins(defineEntity({ name: 'Note', properties: { id: p.integer().primary(), text: p.string(), ...timestampProperties() } }), ['timestamp', { cache: { store: 'memory' } }]);
      const orm = await MikroORM.init({ dbName: ':memory:', entities: [Note], extensions: [pluginSystem()] });
      await orm.schema.create();
      const em = orm.em.fork();
      const note = em.create(Note, { text: 'no redis here' });
      await em.flush();
      const read = await orm.em.fork().findOneOrFail(Note, note.id);
      out.works = { text: read.text, createdAtIsDate: read.createdAt instanceof Date };
      await orm.close();
      console.log(JSON.stringify(out));
    `,
    );
    const result = printed(await run(['app.mjs'], bare));
    const missing = {
      name: 'PluginConfigError',
      code: 'MOP_MISSING_DEPENDENCY',
      plugin: 'cache',
      option: 'store',
      typed: true,
      message: expect.stringContaining('npm install ioredis'),
    };
    expect(result.redisStore).toEqual(missing);
    expect(result.redisUrl).toMatchObject(missing);
    expect(result.works).toEqual({ text: 'no redis here', createdAtIsDate: true });
  }, 120_000);
});
