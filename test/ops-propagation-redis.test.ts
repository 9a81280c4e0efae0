// Redis pub/sub between two instances on a real Redis, for databases without LISTEN/NOTIFY.
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, test } from 'vitest';
import { disablePlugin, operationsOf, pluginStatePropagation, setPluginPriority, syncPluginState, type PluginOperationsOptions } from '../src/operations/index.js';
import { setOperationsCliMode } from '../src/operations/extension.js';
import { mariadb, sqlite, type Database, type TestOrm } from './support/databases.js';
import { redisUp, SHARED_REDIS, uniquePrefix } from './support/cache-redis.js';
import { describeWith, eventually, firstInstance, nextInstance, nextRefresh, probeRuns, removeTempDirs, sharedConnection } from './support/propagation-app.js';

const open: TestOrm[] = [];
afterEach(async () => {
  for (const orm of open.splice(0).reverse()) await orm.close();
});
afterAll(removeTempDirs);

const states = new WeakMap<TestOrm, NonNullable<PluginOperationsOptions['state']>>();
const operationsOptionsOf = (orm: TestOrm) => states.get(orm)!;

const REFUSE: Record<string, string> = {
  sqlite: "create trigger mop_refuse before update on plugin_state_version begin select raise(abort, 'refused'); end",
  mariadb: "create trigger mop_refuse before update on plugin_state_version for each row signal sqlstate '45000' set message_text = 'refused'",
};

for (const db of [sqlite, mariadb] as Database[]) {
  describeWith('plugin state propagation by Redis pub/sub', db, redisUp ? undefined : 'Redis on 127.0.0.1:6379 not reachable', () => {
    async function pair(redis: string | Redis = SHARED_REDIS) {
      const errors: string[] = [];
      const onError = (e: unknown) => errors.push(String((e as Error).message));
      const channel = uniquePrefix('state');
      const state = { pollInterval: false as const, notify: { redis, channel, safetyPollInterval: false as const } };
      const a = await firstInstance(db, sharedConnection(db), { state, onError });
      open.push(a);
      await syncPluginState(a);
      const b = await nextInstance(a, { state, onError });
      open.push(b);
      states.set(a, state);
      return { a, b, errors, channel };
    }

    test('a change made by instance A is honoured by B with polling off, by a Redis message alone', async () => {
      const { a, b, errors } = await pair();
      expect(pluginStatePropagation(a)).toBe('redis');
      expect(pluginStatePropagation(b)).toBe('redis');
      expect(probeRuns(b)).toBe(true);
      const refreshed = nextRefresh(b);
      await disablePlugin(a, 'propProbe', { entity: 'PropPost' });
      await refreshed;
      expect(probeRuns(b)).toBe(false);
      expect(errors).toEqual([]);
    });

    test('a rolled-back change publishes nothing', async () => {
      const { a, b } = await pair();
      let refreshes = 0;
      operationsOf(b).propagation!.onRefresh(() => refreshes++);
      await a.em.getConnection().execute(REFUSE[db.name]!);
      await expect(disablePlugin(a, 'propProbe')).rejects.toThrow(/refused/);
      await a.em.getConnection().execute('drop trigger mop_refuse');
      // Messages arrive in publish order: had the first gone out, B would refresh for it before this one.
      const refreshed = nextRefresh(b);
      await setPluginPriority(a, 'propProbe', 5);
      await refreshed;
      expect(refreshes).toBe(1);
      expect(probeRuns(b)).toBe(true);
    });

    test('the CLI (which listens to nothing) publishes its changes on the app\'s Redis', async () => {
      const { a, b } = await pair();
      const previous = setOperationsCliMode(true);
      let cli: TestOrm;
      try {
        cli = await nextInstance(a, { state: operationsOptionsOf(a) });
      } finally {
        setOperationsCliMode(previous);
      }
      open.push(cli);
      expect(pluginStatePropagation(cli)).toBe('redis');
      const refreshed = nextRefresh(b);
      await disablePlugin(cli, 'propProbe');
      await refreshed;
      expect(probeRuns(b)).toBe(false);
    });

    test('the subscriber reconnects after CLIENT KILL and hears the next change', async () => {
      const { a, b, errors, channel } = await pair();
      const admin = new Redis(SHARED_REDIS);
      try {
        const name = `mop-state:${channel.replace(/[^\w:.-]/g, '_')}`;
        const ids = (await admin.client('LIST') as string).split('\n').filter(line => line.includes(` name=${name} `) && line.includes(' sub=1 ')).map(line => /id=(\d+)/.exec(line)![1]!);
        expect(ids).toHaveLength(2);
        const reconnected = nextRefresh(b);
        for (const id of ids) await admin.client('KILL', 'ID', id);
        await reconnected;
      } finally {
        admin.disconnect();
      }
      expect(errors.some(m => m.includes('plugin-state notifications (redis) are not connected'))).toBe(true);
      expect(await eventually(() => pluginStatePropagation(b) === 'redis')).toBe(true);
      const refreshed = nextRefresh(b);
      await disablePlugin(a, 'propProbe');
      await refreshed;
      expect(probeRuns(b)).toBe(false);
    });

    test('an ioredis client of yours: subscribes on a duplicate, publishes on it, and is left open by orm.close()', async () => {
      const client = new Redis(SHARED_REDIS);
      try {
        const { a, b } = await pair(client);
        const refreshed = nextRefresh(b);
        await disablePlugin(a, 'propProbe');
        await refreshed;
        expect(probeRuns(b)).toBe(false);
        await b.close();
        await a.close();
        open.length = 0;
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.disconnect();
      }
    });
  });
}
