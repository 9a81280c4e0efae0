// One callgrind run of benchmarks/profile/scale.mjs: `node scale-worker.mjs <entities> <fillerPlugins> <flushes>`.
// An ORM on SQLite in memory with `entities` entity classes: the target T1 with one plugin, the rest with
// `fillerPlugins` plugins each (0: pluginSystem() installed, nothing attached to them). Warms up with 5 flushes
// of 100 rows on T1, then runs `flushes` more (0: none, the baseline).
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { PluginRegistry, pluginSystem } from '../../dist/index.js';

const [entitiesArg, fillerArg, flushesArg] = process.argv.slice(2);
const [count, fillerPlugins, flushes] = [entitiesArg, fillerArg, flushesArg].map(Number);
const BATCH = 100;
const registry = new PluginRegistry();
for (let i = 0; i < 20; i++) registry.register(`p${i}`, new Function(`return class ScalePlugin${i} { beforeCreate(e) { e.value = (Math.imul(e.value, 31) + ${i + 1}) | 0; } };`)());
const plugins = k => Array.from({ length: k }, (_, i) => `p${i}`);
const entity = name =>
  new EntitySchema({ name, tableName: name.toLowerCase(), properties: { id: { type: 'integer', primary: true, autoincrement: true }, name: { type: 'string' }, value: { type: 'integer' } } });
const entities = [entity('T1')];
const attached = { T1: plugins(1) };
for (let i = 1; i < count; i++) {
  entities.push(entity(`Filler${i}`));
  if (fillerPlugins > 0) attached[`Filler${i}`] = plugins(fillerPlugins);
}
const orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities, extensions: [pluginSystem({ registry, entities: attached })], allowGlobalContext: true });
await orm.schema.create();
const flush = async () => {
  const em = orm.em.fork();
  for (let i = 0; i < BATCH; i++) em.create('T1', { name: `row ${i}`, value: 0 });
  await em.flush();
};
for (let i = 0; i < 5; i++) await flush();
const [{ value }] = await orm.em.getConnection().execute('select value from t1 limit 1');
if (value !== 1) throw new Error(`scale: T1's hook did not run (value ${value})`);
for (let i = 0; i < flushes; i++) await flush();
await orm.close(true);
