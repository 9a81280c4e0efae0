// Redis health: the Redis store's healthCheck (PING) and testConnection (a new client), reached by
// `doctor` through the cache plugin, against the real Redis on 6379 and a port nothing listens on.
import { defineEntity, p } from '@mikro-orm/core';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { CachePlugin, cachePluginOf, redisStore, type CacheStore } from '../src/cache.js';
import { doctor, type DoctorReport } from '../src/operations/index.js';
import { pluginSystem, PluginRegistry, usePlugins } from '../src/index.js';
import { dropPrefix, redisUp, SHARED_REDIS, sparePort, uniquePrefix } from './support/cache-redis.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ cache: CachePlugin });
const PASSWORD = 's3cret-Pa55w0rd';

const cacheFindings = (report: DoctorReport) => report.findings.filter(f => f.plugin === 'cache').map(f => ({ level: f.level, check: f.check, entity: f.entity, message: f.message }));

describeEachDatabase('cache plugin health (doctor)', db => {
  let orm: TestOrm | undefined;
  const stores: CacheStore[] = [];
  const prefixes: string[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close?.();
    if (orm) await cachePluginOf(orm)?.close();
    await orm?.close();
    orm = undefined;
    for (const prefix of prefixes.splice(0)) await dropPrefix(SHARED_REDIS, prefix);
  });

  test.skipIf(!redisUp)('Redis answering: the health check and the connection tests pass, before and after the store connected', async () => {
    const prefix = uniquePrefix('health');
    prefixes.push(prefix);
    const store = redisStore({ url: SHARED_REDIS, keyPrefix: prefix });
    stores.push(store);
    const Lamp = usePlugins(defineEntity({ name: 'Lamp', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { store } }]);
    const Desk = usePlugins(defineEntity({ name: 'Desk', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { store: SHARED_REDIS, prefix: `${prefix}desk` } }]);
    orm = await db.init({ entities: [Lamp, Desk], extensions: [pluginSystem({ registry })] });

    const before = await doctor(orm);
    expect(cacheFindings(before)).toEqual(
      expect.arrayContaining([
        { level: 'ok', check: 'health', entity: undefined, message: 'cache: healthy (redis(redis://127.0.0.1:6379) answered PING; redis(redis://127.0.0.1:6379) answered PING)' },
        { level: 'ok', check: 'connection', entity: 'Lamp', message: "cache: connection test passed with Lamp's options" },
        { level: 'ok', check: 'connection', entity: 'Desk', message: "cache: connection test passed with Desk's options" },
      ]),
    );
    // Once the store has its client, the health check pings that one.
    const em = orm.em.fork();
    em.create(Lamp, { id: 1, name: 'lamp' });
    await em.flush();
    expect((await orm.em.fork().findOneOrFail(Lamp, 1)).name).toBe('lamp');
    expect(await store.healthCheck()).toEqual({ ok: true, message: 'redis(redis://127.0.0.1:6379) answered PING' });
    expect((await doctor(orm)).findings.filter(f => f.plugin === 'cache' && f.level !== 'ok')).toEqual([]);
  });

  test('Redis not answering: the health check and the connection tests fail, and no message carries the password', async () => {
    const port = await sparePort();
    const url = `redis://mop:${PASSWORD}@127.0.0.1:${port}/0`;
    const store = redisStore({ url, keyPrefix: uniquePrefix('down'), healthTimeoutMs: 1000 });
    stores.push(store);
    const Lamp = usePlugins(defineEntity({ name: 'Lamp', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { store } }]);
    const Desk = usePlugins(defineEntity({ name: 'Desk', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { store: url, prefix: 'desk' } }]);
    orm = await db.init({ entities: [Lamp, Desk], extensions: [pluginSystem({ registry })] });

    const report = await doctor(orm, { timeout: 5000 });
    expect(report.ok).toBe(false);
    const findings = cacheFindings(report);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', check: 'health', message: expect.stringContaining(`redis://127.0.0.1:${port}/0`) }),
        expect.objectContaining({ level: 'error', check: 'connection', entity: 'Lamp', message: expect.stringContaining(`redis://127.0.0.1:${port}/0`) }),
        expect.objectContaining({ level: 'error', check: 'connection', entity: 'Desk', message: expect.stringContaining(`redis://127.0.0.1:${port}/0`) }),
      ]),
    );
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(JSON.stringify(report)).not.toContain('mop:');
    const direct = await store.testConnection();
    expect(direct).toMatchObject({ ok: false, message: expect.stringMatching(new RegExp(`^redis\\(redis://127\\.0\\.0\\.1:${port}/0\\): .*ECONNREFUSED`)) });
    expect(JSON.stringify(direct)).not.toContain(PASSWORD);
  });
});

describe.skipIf(!redisUp)('Redis store testConnection with other options', () => {
  test('it connects with the options given, not the store\'s own, and reports which server answered', async () => {
    const port = await sparePort();
    const store = redisStore({ url: `redis://127.0.0.1:${port}` });
    expect(await store.testConnection()).toMatchObject({ ok: false });
    expect(await store.testConnection({ url: SHARED_REDIS })).toEqual({ ok: true, message: 'redis://127.0.0.1:6379 answered PING' });
    await store.close();
  });

  test('credentials Redis refuses: the test fails with its reason, and neither the password nor the user appears', async () => {
    const store = redisStore({ url: `redis://mop-nobody:${PASSWORD}@127.0.0.1:6379` });
    const report = await store.testConnection();
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(/^redis\(redis:\/\/127\.0\.0\.1:6379\): /);
    expect(report.message).not.toContain(PASSWORD);
    expect(report.message).not.toContain('mop-nobody');
    await store.close();
  });
});

/**
 * A server that takes any AUTH and then refuses PING quoting the password it got: some proxies and
 * managed services echo a command's arguments in their errors. Real Redis never does, so this
 * stands in for them.
 */
async function quotingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  let password = '';
  const sockets = new Set<Socket>();
  const server = createServer(socket => {
    sockets.add(socket);
    let buffer = '';
    socket.on('data', chunk => {
      buffer += chunk.toString('utf8');
      // RESP arrays of bulk strings: `*n\r\n$len\r\narg\r\n...`; answer each complete command.
      for (;;) {
        const parts = buffer.split('\r\n');
        const count = Number(parts[0]?.slice(1));
        if (!parts[0]?.startsWith('*') || parts.length < 1 + count * 2 + 1) return;
        const args = Array.from({ length: count }, (_, i) => parts[2 + i * 2]!);
        buffer = parts.slice(1 + count * 2).join('\r\n');
        const command = args[0]!.toUpperCase();
        // ioredis authenticates with `HELLO 3 AUTH user password`, older clients with `AUTH [user] password`.
        if (command === 'AUTH' || (command === 'HELLO' && args.some(arg => arg.toUpperCase() === 'AUTH'))) {
          password = args.at(-1)!;
          socket.write('+OK\r\n');
        } else if (command === 'INFO') socket.write('$9\r\nloading:0\r\n');
        else if (command === 'PING') socket.write(`-ERR PING refused for AUTH ${password}\r\n`);
        else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>(resolve => server.close(() => resolve()));
  };
  return { port, close };
}

describe('Redis store health messages when the server quotes the password back', () => {
  test('healthCheck on a connected store and testConnection leave out the password of the URL and of redisOptions', async () => {
    const server = await quotingServer();
    try {
      for (const options of [{ url: `redis://mop:${PASSWORD}@127.0.0.1:${server.port}` }, { url: `redis://127.0.0.1:${server.port}`, redisOptions: { password: PASSWORD } }]) {
        const store = redisStore({ ...options, healthTimeoutMs: 1000 });
        const fresh = await store.testConnection();
        expect(fresh).toMatchObject({ ok: false, message: expect.stringContaining('PING refused for AUTH ***') });
        expect(await store.ready()).toBe(true);
        const connected = await store.healthCheck();
        expect(connected).toMatchObject({ ok: false, message: expect.stringContaining('PING refused for AUTH ***') });
        expect(JSON.stringify([fresh, connected])).not.toContain(PASSWORD);
        await store.close();
      }
    } finally {
      await server.close();
    }
  });
});
