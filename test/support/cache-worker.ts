// The second application instance of the cross-process cache test: its own ORM, the built package
// (its dist folder in MOP_DIST), the same database and Redis. Reads JSON commands from stdin, one per line.
import { createInterface } from 'node:readline';

const dist = process.env.MOP_DIST!;
const mop = { ...(await import(`${dist}/index.js`)), ...(await import(`${dist}/cache.js`)) };
const { MikroORM, defineEntity, p } = await import('@mikro-orm/core');
const config = JSON.parse(process.env.MOP_DB!);
const driver = config.driver === 'postgresql' ? (await import('@mikro-orm/postgresql')).PostgreSqlDriver : (await import('@mikro-orm/sqlite')).SqliteDriver;

const store = mop.redisStore({ url: process.env.MOP_REDIS_URL, keyPrefix: process.env.MOP_REDIS_PREFIX });
const Member = mop.usePlugins(
  defineEntity({
    name: 'Member',
    properties: {
      id: p.integer().primary(),
      name: p.string(),
      score: p.integer(),
      joinedAt: p.datetime(),
      ...mop.timestampProperties(),
      ...mop.softDeleteProperties(),
    },
  }),
  ['timestamp', 'softDelete', { cache: { ttl: 1800, prefix: 'member', store } }],
);
const registry = new mop.PluginRegistry().registerMany({ timestamp: mop.TimestampPlugin, softDelete: mop.SoftDeletePlugin, cache: mop.CachePlugin });
const orm = await MikroORM.init({ ...config.options, driver, entities: [Member], extensions: [mop.pluginSystem({ registry })] });

const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
// Reads skip a store that is still connecting: the test is about a connected one.
reply({ ready: await store.ready() });
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { op: string; id?: number; name?: string };
  try {
    if (command.op === 'read') {
      const m = (await orm.em.fork().findOne(Member, command.id! as never)) as { name: string; score: number } | null;
      reply({ value: m ? { name: m.name, score: m.score } : null });
    } else if (command.op === 'update') {
      const em = orm.em.fork();
      const m = (await em.findOneOrFail(Member, command.id! as never)) as { name: string };
      m.name = command.name!;
      await em.flush();
      reply({ done: true });
    } else if (command.op === 'metrics') {
      reply({ value: mop.cacheMetrics(orm, 'Member') });
    } else if (command.op === 'close') {
      await store.close();
      await orm.close();
      reply({ done: true });
      break;
    }
  } catch (error) {
    reply({ error: String(error) });
  }
}
