// A cache store that fails with something other than an Error (a symbol, a null-prototype object):
// reads fall back to the database and the warning still names the store, never a TypeError.
import { defineEntity, p } from '@mikro-orm/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CachePlugin, type CacheStore } from '../src/cache.js';
import { pluginSystem, PluginRegistry, usePlugins } from '../src/index.js';
import { sqlite, type TestOrm } from './support/databases.js';

let thrown: unknown;
const oddStore: CacheStore = {
  name: 'odd',
  read: () => Promise.reject(thrown),
  fill: () => Promise.reject(thrown),
  invalidate: () => Promise.reject(thrown),
  invalidateAll: () => Promise.reject(thrown),
  clear: () => undefined,
};
const OddRow = usePlugins(defineEntity({ name: 'OddRow', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { prefix: 'odd', store: oddStore } }]);

let orm: TestOrm;
const warnings: string[] = [];
const warn = console.warn;
beforeEach(async () => {
  console.warn = (message: string) => void warnings.push(message);
  orm = await sqlite.init({ entities: [OddRow], extensions: [pluginSystem({ registry: new PluginRegistry().register(CachePlugin) })] });
  await orm.em.fork().insert(OddRow, { id: 1, name: 'ada' });
});
afterEach(async () => {
  console.warn = warn;
  warnings.length = 0;
  await orm.close();
});

test.each([
  ['a symbol', Symbol('down')],
  ['a null-prototype object', Object.create(null)],
  ['undefined', undefined],
])('a store rejecting with %s: the read comes from the database, the warning names the store', async (_what, reason) => {
  thrown = reason;
  const row = await orm.em.fork().findOne(OddRow, 1);
  expect(row?.name).toBe('ada');
  expect(warnings.join('\n')).toContain("cache store 'odd' failed");
});
