// The cache plugin: findOne by primary key from an in-process LRU (or Redis), dropped after each commit.
import { connect } from 'node:net';
import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import { CacheStore, cacheMetrics, memoryStore, redisStore } from 'mikro-orm-plugins/cache';
import { doctor } from 'mikro-orm-plugins/operations';
import { pluginSystem, softDeleteProperties, usePlugins } from 'mikro-orm-plugins';
import { DbReadsPlugin } from './db-reads.js';

function userEntity(store: CacheStore | 'memory') {
  return usePlugins(
    defineEntity({
      name: 'User',
      properties: { id: p.integer().primary(), email: p.string(), plan: p.string(), ...softDeleteProperties() },
    }),
    ['softDelete', { cache: { ttl: 1800, prefix: 'user', store } }],
  );
}

async function demo(label: string, store: CacheStore | 'memory'): Promise<void> {
  const User = userEntity(store);
  const orm = await MikroORM.init({ dbName: ':memory:', entities: [User], extensions: [pluginSystem()] });
  await orm.schema.create();
  const em = orm.em.fork();
  const ada = em.create(User, { email: 'ada@example.com', plan: 'free' });
  await em.flush();

  const first = await orm.em.fork().findOne(User, ada.id); // database, then cached
  const again = await orm.em.fork().findOneOrFail(User, ada.id); // from the cache: a managed entity
  console.log(`${label}: ${first?.plan} then ${again.plan}`, cacheMetrics(orm, User));

  const writer = orm.em.fork();
  const user = await writer.findOneOrFail(User, ada.id);
  user.plan = 'pro';
  await writer.flush(); // the entry is dropped after the commit
  console.log(`${label}: after the update`, (await orm.em.fork().findOneOrFail(User, ada.id)).plan);

  writer.remove(user);
  await writer.flush(); // a soft delete: never served from the cache again
  console.log(`${label}: after the soft delete`, await orm.em.fork().findOne(User, ada.id));
  await orm.close();
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

await demo('memory', 'memory');

// Stores as a plugin type: entities whose options name no store use the implementation CacheStore
// selects (lowest priority `active`, else `reserve`; with pluginOperations() plugin_state decides).
CacheStore.register('local', memoryStore({ max: 50_000 }), { priority: 1 });
{
  const Product = usePlugins(
    defineEntity({ name: 'Product', properties: { id: p.integer().primary(), name: p.string() } }),
    [{ cache: { prefix: 'product' } }, 'dbReads'],
  );
  const orm = await MikroORM.init({ dbName: ':memory:', entities: [Product], extensions: [pluginSystem()] });
  await orm.schema.create();
  const em = orm.em.fork();
  const lamp = em.create(Product, { name: 'lamp' });
  await em.flush();
  for (let i = 0; i < 3; i++) await orm.em.fork().findOneOrFail(Product, lamp.id);
  console.log(`type: 3 reads, ${DbReadsPlugin.counted.get('Product')} from the database`, cacheMetrics(orm, Product));
  // `doctor` runs the cache plugin's health check (Redis: PING) and a connection test per store option.
  const report = await doctor(orm);
  console.log('type: doctor says', report.findings.filter(f => f.plugin === 'cache').map(f => f.message));
  await orm.close();
}

if (await redisAnswers(6379)) {
  const store = redisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'mop-example:cache:' });
  await store.ready(); // reads skip Redis until it is connected: wait at start-up for the first ones to use it
  await demo('redis', store);
  // The example's entries go with it (the stamp clock stays, so a later run never reuses a stamp).
  await store.clear();
  await store.close?.();
} else {
  console.log('redis: skipped (no Redis on 127.0.0.1:6379)');
}
