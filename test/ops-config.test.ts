import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { loadPluginConfig, pluginOperations, type LoadedPluginConfig } from '../src/operations/index.js';
import { plugin, pluginSystem, PluginRegistry, TimestampPlugin, withPlugins } from '../src/index.js';
import { events, faults } from './ops-fixtures/log.js';
import { describeEachDatabase, type Database } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    opsAlpha: true;
    opsCode: true;
  }
}

const app = join(import.meta.dirname, 'ops-fixtures/app');
const scratch = mkdtempSync(join(tmpdir(), 'mop-ops-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  events.length = 0;
  faults.betaLoad = false;
  delete process.env.MIKRO_ORM_PLUGINS_CONFIG;
});

/** Plugins registered in code; merged after the config file's. */
function codeRegistry(): PluginRegistry {
  const registry = new PluginRegistry().register(TimestampPlugin);
  @plugin({ name: 'opsCode', registry })
  class OpsCode {
    beforeCreate() {
      events.push('hook:opsCode');
    }
  }
  void OpsCode;
  return registry;
}

/** A config file of its own in a scratch folder, its specifiers pointing back at the fixtures. */
function configFile(name: string, body: string): string {
  const path = join(scratch, name);
  writeFileSync(path, body);
  return path;
}

const failure = async (plugins: Record<string, string[]>) => {
  const error = await loadPluginConfig({ cwd: app, config: { plugins }, registry: codeRegistry() }).catch((e: Error) => e);
  expect(error).toMatchObject({ code: 'MOP_CONFIG_LOAD_FAILED' });
  return (error as Error).message;
};

describe('config file and discovery', () => {
  test('groups in listed order, the folder in file-name order, duplicates once, then the code plugins', async () => {
    const loaded = await loadPluginConfig({ cwd: app, registry: codeRegistry() });
    expect(loaded.file).toBe(join(app, 'mikro-orm-plugins.config.ts'));
    expect(loaded.loaded.map(p => `${p.group}:${p.name}`)).toEqual(['late:opsZeta', 'dir:opsAlpha', 'dir:opsBeta']);
    expect(loaded.registry.names()).toEqual(['opsZeta', 'opsAlpha', 'opsBeta', 'timestamp', 'opsCode']);
    expect(loaded.skipped).toEqual([join(app, 'plugins/notes.ts')]);
  });

  test('a JSON config file, named by option or by MIKRO_ORM_PLUGINS_CONFIG; no file means the code plugins only', async () => {
    const json = await loadPluginConfig({ cwd: app, file: 'plugins.json', registry: codeRegistry() });
    expect(json.registry.names()).toEqual(['opsBeta', 'opsZeta', 'timestamp', 'opsCode']);
    process.env.MIKRO_ORM_PLUGINS_CONFIG = join(app, 'plugins.json');
    expect((await loadPluginConfig({ cwd: scratch, registry: codeRegistry() })).file).toBe(join(app, 'plugins.json'));
    delete process.env.MIKRO_ORM_PLUGINS_CONFIG;
    const none = await loadPluginConfig({ cwd: scratch, registry: codeRegistry() });
    expect(none.file).toBeUndefined();
    expect(none.registry.names()).toEqual(['timestamp', 'opsCode']);
    const js = configFile('mikro-orm-plugins.config.mjs', `export default { plugins: { only: [${JSON.stringify(join(app, 'extra/zeta.ts'))}] } };`);
    expect((await loadPluginConfig({ cwd: scratch, registry: codeRegistry() })).file).toBe(js);
    rmSync(js);
  });

  test('a specifier that fails to import or exports no plugin fails, naming the specifier and the reason', async () => {
    expect(await failure({ core: ['./plugins/missing.ts'] })).toMatch(/cannot load '\.\/plugins\/missing\.ts': .*(Cannot find|Failed to load|does not exist|ENOENT)/i);
    expect(await failure({ core: ['./broken/throws.ts'] })).toContain("cannot load './broken/throws.ts': boom at import");
    expect(await failure({ docs: ['./plugins/notes.ts'] })).toContain("cannot load './plugins/notes.ts' (group 'docs'): the module exports no plugin");
    expect(await failure({ core: ['./extra/zeta.ts#Nope'] })).toContain("cannot load './extra/zeta.ts#Nope' (group 'core'): the module has no export 'Nope'");
    expect(await failure({ core: ['./extra/zeta.ts#NotAPlugin'] })).toContain("export 'NotAPlugin' is not a plugin");
    expect(await failure({ core: ['no-such-package-for-ops-tests'] })).toContain("cannot load 'no-such-package-for-ops-tests'");
    await expect(loadPluginConfig({ cwd: app, config: { plugins: { dir: './nowhere' } } })).rejects.toMatchObject({ message: expect.stringContaining('nowhere does not exist') });
    await expect(loadPluginConfig({ cwd: scratch, file: 'absent.json' })).rejects.toMatchObject({ code: 'MOP_CONFIG_LOAD_FAILED' });
  });

  test('a config plugin whose name a different code plugin holds fails, naming both', async () => {
    const code = new PluginRegistry();
    @plugin({ name: 'opsZeta', registry: code })
    class OtherZeta {}
    void OtherZeta;
    await expect(loadPluginConfig({ cwd: app, registry: code })).rejects.toMatchObject({ code: 'MOP_PLUGIN_NAME_TAKEN' });
  });
});

@withPlugins(['opsAlpha', 'opsCode'])
@Entity()
class OpsLoaded {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

async function start(db: Database, loaded: LoadedPluginConfig) {
  return db.init({ entities: [OpsLoaded], extensions: [pluginSystem(loaded), pluginOperations({ state: false })] });
}

describeEachDatabase('lifecycle', db => {
  test('onLoad runs after discovery and before the first operation, in load order; onUnload on close, in reverse', async () => {
    const loaded = await loadPluginConfig({ cwd: app, registry: codeRegistry() });
    const orm = await start(db, loaded);
    try {
      const entities = orm.getMetadata().getAll().size;
      expect(events).toEqual([`load:opsZeta`, `load:opsAlpha(em=yes,entities=${entities})`, 'load:opsBeta']);
      const em = orm.em.fork();
      em.create(OpsLoaded, { name: 'x' });
      await em.flush();
      expect(events.slice(3)).toEqual(['hook:opsAlpha', 'hook:opsCode']);
    } finally {
      events.length = 0;
      await orm.close();
    }
    expect(events).toEqual(['unload:opsBeta', 'unload:opsAlpha', 'unload:opsZeta']);
  });

  test('a contributed entity is in the schema: MikroORM creates its table', async () => {
    const loaded = await loadPluginConfig({ cwd: app, registry: codeRegistry() });
    const orm = await start(db, loaded);
    try {
      const record = orm.getMetadata().getByClassName('OpsAlphaRecord').class;
      expect(await orm.schema.getCreateSchemaSQL()).toMatch(/create table [`"]?ops_alpha_record[`"]?/);
      await orm.em.fork().insert(record, { note: 'kept' });
      expect(await orm.em.fork().count(record)).toBe(1);
    } finally {
      await orm.close();
    }
  });

  test('a failing onLoad fails start-up naming the plugin; a registry-disabled plugin is not loaded', async () => {
    faults.betaLoad = true;
    const loaded = await loadPluginConfig({ cwd: app, registry: codeRegistry() });
    await expect(start(db, loaded)).rejects.toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'opsBeta', message: expect.stringContaining('beta cannot start') });
    events.length = 0;
    loaded.registry.disable('opsBeta');
    const orm = await start(db, loaded);
    try {
      expect(events.map(e => e.split('(')[0])).toEqual(['load:opsZeta', 'load:opsAlpha']);
    } finally {
      await orm.close();
    }
  });
});
