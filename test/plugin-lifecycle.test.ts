// onLoad/onUnload run through the dispatcher as plugin-level events: sequential for load, settled for unload.
// They belong to the registered plugins, attached to an entity or not.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginConfigError, pluginSystem, PluginRegistry, plugin } from '../src/index.js';
import { pluginOperations } from '../src/operations/index.js';
import { sqlite } from './support/databases.js';

@Entity()
class LifeRow {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const log: string[] = [];
const fail = new Set<string>();
afterEach(() => {
  log.length = 0;
  fail.clear();
});

/** Three plugins in registration order; `lifeB` has no `onLoad`, only `onUnload`. */
function registry(): PluginRegistry {
  const registry = new PluginRegistry();
  @plugin({ name: 'lifeA', registry })
  class LifeA {
    async onLoad() {
      log.push('load:A');
      if (fail.has('load:A')) throw new Error('A cannot start');
    }
    onUnload() {
      log.push('unload:A');
      if (fail.has('unload:A')) throw new Error('A cannot stop');
    }
  }
  @plugin({ name: 'lifeB', registry })
  class LifeB {
    onUnload() {
      log.push('unload:B');
    }
  }
  @plugin({ name: 'lifeC', registry })
  class LifeC {
    onLoad() {
      log.push('load:C');
      if (fail.has('load:C')) throw new PluginConfigError('MOP_INVALID_OPTIONS', 'C is misconfigured', {});
    }
    async onUnload() {
      log.push('unload:C');
      if (fail.has('unload:C')) throw new Error('C cannot stop');
    }
  }
  void [LifeA, LifeB, LifeC];
  return registry;
}

const start = (reg = registry()) => sqlite.init({ entities: [LifeRow], extensions: [pluginSystem({ registry: reg }), pluginOperations({ state: false })] });

test('every plugin unloads in reverse even when some fail; close rejects with the first failure, tagged with plugin and hook', async () => {
  const orm = await start();
  expect(log).toEqual(['load:A', 'load:C']);
  fail.add('unload:C').add('unload:A');
  const error = await orm.close().catch((e: unknown) => e);
  expect(log.slice(2)).toEqual(['unload:C', 'unload:B', 'unload:A']);
  expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'lifeC', hook: 'onUnload', message: expect.stringContaining("Plugin 'lifeC' failed in onUnload: C cannot stop") });
  expect((error as Error & { entity?: string }).entity).toBeUndefined();
});

test('a failing onLoad stops loading there: the plugins before it unload, the ones after never load', async () => {
  fail.add('load:A');
  const error = await start().catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'lifeA', hook: 'onLoad', message: expect.stringContaining("Plugin 'lifeA' failed in onLoad: A cannot start") });
  expect(log).toEqual(['load:A']);

  log.length = 0;
  fail.clear();
  fail.add('load:C');
  const typed = await start().catch((e: unknown) => e);
  // A typed error keeps its class and code, and gains the plugin and hook.
  expect(typed).toBeInstanceOf(PluginConfigError);
  expect(typed).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'lifeC', hook: 'onLoad' });
  expect(log).toEqual(['load:A', 'load:C', 'unload:B', 'unload:A']);
});

test('a plugin disabled in the registry neither loads nor unloads', async () => {
  const reg = registry();
  reg.disable('lifeA');
  const orm = await start(reg);
  await orm.close();
  expect(log).toEqual(['load:C', 'unload:C', 'unload:B']);
});

test("an onLoad failure quoting the plugin's secret options says it without them", async () => {
  const reg = new PluginRegistry();
  const secret = `s3cr${Math.random().toString(36).slice(2, 10)}`;
  @plugin({ name: 'lifeVault', registry: reg, options: { fields: { token: { type: 'string', secret: true } } } })
  class LifeVault {
    token = '';
    setupEntity(_meta: unknown, ctx: { options: { token: string } }) {
      this.token = ctx.options.token;
    }
    onLoad() {
      throw new Error(`vault refused token ${this.token}`);
    }
  }
  void LifeVault;
  const error = await sqlite
    .init({ entities: [LifeRow], extensions: [pluginSystem({ registry: reg, entities: { LifeRow: [{ lifeVault: { token: secret } } as never] } }), pluginOperations({ state: false })] })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'lifeVault', hook: 'onLoad', message: expect.stringContaining('vault refused token ***') });
  expect((error as Error).message).not.toContain(secret);
});
