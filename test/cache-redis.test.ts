import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { cacheMetrics, cachePluginOf, redisStore, type CacheStore, type RedisStore } from '../src/cache.js';
import { pluginSystem } from '../src/index.js';
import { cacheEntities, cacheRegistry, LoadSpyPlugin, Member, Note, storeSetting } from './support/cache-fixtures.js';
import { dropPrefix, OwnRedis, redisUp, SHARED_REDIS, sparePort, uniquePrefix, waitFor } from './support/cache-redis.js';
import { postgresql, sqlite, type Database, type TestOrm } from './support/databases.js';

const registry = cacheRegistry();
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}.tmp/cache-dist`;
const dbName = process.env.TEST_DB_NAME ?? 'test';

/** SQLite on a file (two processes must see one database) and PostgreSQL when it answers. */
const targets: { db: Database; options: () => Record<string, unknown>; worker: () => Record<string, unknown> }[] = [
  {
    db: sqlite,
    options: () => ({ dbName: `${root}.tmp/cache-redis-${process.pid}.sqlite` }),
    worker: () => ({ driver: 'sqlite', options: { dbName: `${root}.tmp/cache-redis-${process.pid}.sqlite` } }),
  },
  {
    db: postgresql,
    options: () => ({}),
    worker: () => ({ driver: 'postgresql', options: { dbName, host: '127.0.0.1', port: 5432, user: 'postgres', pool: { min: 0, max: 2 } } }),
  },
];

const describeRedis = redisUp ? describe : describe.skip;
if (!redisUp) console.warn('[mikro-orm-plugins tests] skipping the Redis cache suites: Redis on 127.0.0.1:6379 not reachable');

for (const { db, options, worker } of targets) {
  const title = `cache plugin, Redis store [${db.name}]`;
  const run = db.unavailable ? describe.skip : describeRedis;
  run(title, () => {
    let orm: TestOrm;
    let prefix: string;
    let store: CacheStore;
    let ada: number;

    beforeEach(async () => {
      mkdirSync(`${root}.tmp`, { recursive: true });
      prefix = uniquePrefix('cache');
      store = storeSetting.store = redisStore({ url: SHARED_REDIS, keyPrefix: prefix });
      LoadSpyPlugin.loaded = [];
      if (db.name === 'sqlite') rmSync(String(options().dbName), { force: true });
      orm = await db.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })], ...options() });
      // Reads skip a store that is still connecting: these tests are about a connected one.
      expect(await (store as RedisStore).ready()).toBe(true);
      const em = orm.em.fork();
      const member = em.create(Member, { name: 'Ada', score: 1 });
      await em.flush();
      ada = member.id;
    });
    afterEach(async () => {
      await store.close?.();
      await orm.close();
      await dropPrefix(SHARED_REDIS, prefix);
    });

    test('hits, commit-time invalidation, rollback and the fill race, on Redis', async () => {
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada');
      const hit = await orm.em.fork().findOneOrFail(Member, ada);
      expect(hit.joinedAt).toBeInstanceOf(Date);
      expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, misses: 1, sets: 1 });
      await expect(
        orm.em.fork().transactional(async em => {
          (await em.findOneOrFail(Member, ada)).name = 'doomed';
          await em.flush();
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada');
      expect(cacheMetrics(orm, Member).hits).toBe(2);

      const em = orm.em.fork();
      (await em.findOneOrFail(Member, ada)).name = 'Ada L.';
      await em.flush();
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada L.');

      // A fill whose database read saw the old row, racing a committed write, is refused by the stamp check.
      let reached!: () => void;
      let release!: () => void;
      const atLoad = new Promise<void>(r => (reached = r));
      await orm.em.fork().nativeUpdate(Member, { id: ada }, { name: 'Ada' });
      LoadSpyPlugin.hold = { name: 'Ada', reached: () => reached(), release: new Promise<void>(r => (release = r)) };
      const reading = orm.em.fork().findOne(Member, ada);
      await atLoad;
      await orm.em.fork().nativeUpdate(Member, { id: ada }, { name: 'newer' });
      release();
      expect((await reading)?.name).toBe('Ada');
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('newer');
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('newer');
    });

    test('tenant parameters and soft delete on Redis: never another tenant\'s row, never a deleted one', async () => {
      const em = orm.em.fork();
      em.setFilterParams('tenant', { id: 1 });
      const note = em.create(Note, { title: 'secret', tenant: 1 });
      await em.flush();
      const as = (tenant: number) => {
        const fork = orm.em.fork();
        fork.setFilterParams('tenant', { id: tenant });
        return fork.findOne(Note, note.id);
      };
      expect((await as(1))?.title).toBe('secret');
      expect((await as(1))?.title).toBe('secret');
      expect(await as(2)).toBeNull();
      await orm.em.fork().findOne(Member, ada);
      const em2 = orm.em.fork();
      em2.remove(await em2.findOneOrFail(Member, ada));
      await em2.flush();
      expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
    });

    describe('two processes sharing Redis', () => {
      beforeAll(async () => {
        // The worker runs the built package: compile src/ into a private directory (not the shared dist/).
        if (!existsSync(`${dist}/plugins/cache/index.js`) || process.env.MOP_CACHE_REBUILD !== '0') {
          const tsc = `${root}node_modules/typescript/bin/tsc`;
          await new Promise<void>(resolve => {
            const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: root, stdio: 'ignore' });
            child.once('exit', () => resolve());
          });
        }
        expect(existsSync(`${dist}/plugins/cache/index.js`)).toBe(true);
      }, 120_000);

      test('after instance A commits, instance B never returns the old value', async () => {
        const b = await startWorker(worker(), prefix);
        try {
          expect(await b.call({ op: 'read', id: ada })).toEqual({ value: { name: 'Ada', score: 1 } });
          expect(await b.call({ op: 'read', id: ada })).toEqual({ value: { name: 'Ada', score: 1 } });
          for (let i = 1; i <= 5; i++) {
            const em = orm.em.fork();
            (await em.findOneOrFail(Member, ada)).name = `A${i}`;
            await em.flush();
            expect(await b.call({ op: 'read', id: ada })).toEqual({ value: { name: `A${i}`, score: 1 } });
            expect(await b.call({ op: 'read', id: ada })).toEqual({ value: { name: `A${i}`, score: 1 } });
            await b.call({ op: 'update', id: ada, name: `B${i}` });
            expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe(`B${i}`);
          }
          const metrics = (await b.call({ op: 'metrics' })) as { value: { hits: number } };
          expect(metrics.value.hits).toBeGreaterThanOrEqual(6);
          expect(cacheMetrics(orm, Member).hits).toBeGreaterThanOrEqual(1);
        } finally {
          await b.close();
        }
      }, 60_000);
    });
  });
}

interface Worker {
  call(command: object): Promise<unknown>;
  close(): Promise<void>;
}

async function startWorker(db: Record<string, unknown>, prefix: string): Promise<Worker> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [fileURLToPath(new URL('./support/cache-worker.ts', import.meta.url))], {
    cwd: root,
    env: { ...process.env, MOP_DIST: dist, MOP_DB: JSON.stringify(db), MOP_REDIS_URL: SHARED_REDIS, MOP_REDIS_PREFIX: prefix, NODE_NO_WARNINGS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', d => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`worker silent for 15 s; stderr: ${stderr}`)), 15_000));
    const line = await Promise.race([lines.next(), timer]);
    if (line.done) throw new Error(`worker exited; stderr: ${stderr}`);
    const value = JSON.parse(line.value) as { error?: string };
    if (value.error) throw new Error(`worker: ${value.error}`);
    return value;
  };
  await next(); // ready
  return {
    async call(command) {
      child.stdin.write(`${JSON.stringify(command)}\n`);
      return next();
    },
    async close() {
      if (child.exitCode === null) {
        child.stdin.write(`${JSON.stringify({ op: 'close' })}\n`);
        await Promise.race([new Promise(r => child.once('exit', r)), new Promise(r => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill();
      }
    },
  };
}

describe.skipIf(!existsSync('/usr/bin/redis-server') && !process.env.PATH?.includes('redis'))('cache plugin, Redis down [sqlite]', () => {
  let redis: OwnRedis;
  let orm: TestOrm;
  let store: CacheStore;
  const warnings: string[] = [];

  beforeAll(async () => {
    redis = new OwnRedis(await sparePort());
    await redis.start();
  });
  afterAll(async () => {
    await store?.close?.();
    await orm?.close();
    await redis.stop();
  });

  test('reads and writes fall through to the database with one warning, and the cache recovers by itself', async () => {
    store = storeSetting.store = redisStore({ url: redis.url, keyPrefix: uniquePrefix('down'), timeoutMs: 300 });
    orm = await sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })] });
    expect(await (store as RedisStore).ready()).toBe(true);
    cachePluginOf(orm)!.warn = message => void warnings.push(message);
    const em = orm.em.fork();
    const ada = em.create(Member, { name: 'Ada' });
    await em.flush();
    const id = ada.id;
    const read = async () => (await orm.em.fork().findOne(Member, id))?.name;
    expect(await read()).toBe('Ada');
    expect(await read()).toBe('Ada');
    expect({ metrics: cacheMetrics(orm, Member), warnings }).toMatchObject({ metrics: { hits: 1 }, warnings: [] });

    await redis.stop();
    const hitsBefore = cacheMetrics(orm, Member).hits;
    expect(await read()).toBe('Ada');
    const em2 = orm.em.fork();
    (await em2.findOneOrFail(Member, id)).name = 'Ada (Redis down)';
    await em2.flush();
    expect(await read()).toBe('Ada (Redis down)');
    await orm.em.fork().nativeUpdate(Member, { id }, { score: 3 });
    expect((await orm.em.fork().findOneOrFail(Member, id)).score).toBe(3);
    expect(cacheMetrics(orm, Member).hits).toBe(hitsBefore);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cache store 'redis\(redis:\/\/127\.0\.0\.1:\d+\)' failed/);

    await redis.start();
    await waitFor(async () => (await read()) === 'Ada (Redis down)' && cacheMetrics(orm, Member).hits > hitsBefore, 15_000, 'cache hits after Redis restarted');
    expect(await read()).toBe('Ada (Redis down)');
    expect(warnings).toHaveLength(1);
  }, 60_000);
});
