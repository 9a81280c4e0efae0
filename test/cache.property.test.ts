// Property: random interleavings of reads, updates, deletes and rolled-back writes on two ORM
// instances sharing one Redis never read a value older than the last commit.
import { rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cacheMetrics, redisStore, type CacheStore } from '../src/cache.js';
import { pluginSystem, restore, withDeleted } from '../src/index.js';
import { cacheRegistry, memberSchema } from './support/cache-fixtures.js';

const Member = 'Member' as never;
type Row = { id: number; name: string; deletedAt?: Date | null };
import { dropPrefix, redisUp, SHARED_REDIS, uniquePrefix } from './support/cache-redis.js';
import { postgresql, sqlite, type Database, type TestOrm } from './support/databases.js';

/** Connection options of the second ORM (the first one comes from the shared test helper, which also creates the schema). */
function connection(db: Database): Partial<Options> {
  return db.name === 'sqlite'
    ? { driver: SqliteDriver }
    : { driver: PostgreSqlDriver, dbName: process.env.TEST_DB_NAME ?? 'test', host: '127.0.0.1', port: 5432, user: 'postgres', pool: { min: 0, max: 4 } };
}

const root = fileURLToPath(new URL('..', import.meta.url));
const registry = cacheRegistry();

type Side = 0 | 1;
type Command =
  | { op: 'read'; side: Side; row: number }
  | { op: 'update'; side: Side; row: number; name: string }
  | { op: 'rolledBack'; side: Side; row: number; name: string }
  | { op: 'native'; side: Side; row: number; name: string }
  | { op: 'delete'; side: Side; row: number }
  | { op: 'restore'; side: Side; row: number }
  | { op: 'race'; side: Side; row: number; name: string };

const side = fc.constantFrom<Side>(0, 1);
const row = fc.integer({ min: 0, max: 1 });
const name = fc.string({ minLength: 1, maxLength: 6 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('read' as const), side, row }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('update' as const), side, row, name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rolledBack' as const), side, row, name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('native' as const), side, row, name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), side, row }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restore' as const), side, row }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('race' as const), side, row, name }) },
);

const targets: { db: Database; options: () => Record<string, unknown> }[] = [
  { db: sqlite, options: () => ({ dbName: `${root}.tmp/cache-property-${process.pid}.sqlite` }) },
  { db: postgresql, options: () => ({}) },
];

for (const { db, options } of targets) {
  describe.skipIf(!redisUp || db.unavailable !== undefined)(`cache property: two ORMs sharing Redis [${db.name}]`, () => {
    const prefix = uniquePrefix('property');
    const stores: CacheStore[] = [];
    const orms: TestOrm[] = [];
    let ids: number[] = [];

    beforeAll(async () => {
      mkdirSync(`${root}.tmp`, { recursive: true });
      if (db.name === 'sqlite') rmSync(String(options().dbName), { force: true });
      for (let i = 0; i < 2; i++) {
        const store = redisStore({ url: SHARED_REDIS, keyPrefix: prefix });
        stores.push(store);
        // Each ORM has its own Member class (same table). The first init creates the schema; the second connects to it.
        const entities = [memberSchema(store)];
        orms.push(
          i === 0
            ? await db.init({ entities, extensions: [pluginSystem({ registry })], ...options() })
            : ((await MikroORM.init({ ...connection(db), ...options(), entities, extensions: [pluginSystem({ registry })] } as Partial<Options>)) as unknown as TestOrm),
        );
      }
    });
    afterAll(async () => {
      for (const s of stores) await s.close?.();
      for (const o of orms.reverse()) await o.close();
      await dropPrefix(SHARED_REDIS, prefix);
    });

    test('no read is older than the last commit', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 25 }), async commands => {
          // Fresh rows per run; the model holds each row's last committed name, null when soft-deleted.
          const em0 = orms[0]!.em.fork();
          const rows = [em0.create(Member, { name: 'r0' }) as Row, em0.create(Member, { name: 'r1' }) as Row];
          await em0.flush();
          ids = rows.map(r => r.id);
          const model: (string | null)[] = ['r0', 'r1'];
          const read = async (s: Side, r: number) => ((await orms[s]!.em.fork().findOne(Member, ids[r]!)) as Row | null)?.name ?? null;

          for (const c of commands) {
            const orm = orms[c.side]!;
            const id = ids[c.row]!;
            switch (c.op) {
              case 'read':
                expect(await read(c.side, c.row)).toBe(model[c.row]);
                break;
              case 'update': {
                const em = orm.em.fork();
                const m = (await em.findOne(Member, id)) as Row | null;
                if (!m) break;
                m.name = c.name;
                await em.flush();
                model[c.row] = c.name;
                break;
              }
              case 'rolledBack':
                await orm.em
                  .fork()
                  .transactional(async em => {
                    const m = (await em.findOne(Member, id, withDeleted())) as Row | null;
                    m!.name = c.name;
                    await em.flush();
                    await em.nativeUpdate(Member, { id }, { score: 1 });
                    throw new Error('rollback');
                  })
                  .catch(() => undefined);
                break;
              case 'native':
                if ((await orm.em.fork().nativeUpdate(Member, { id }, { name: c.name })) === 1) model[c.row] = c.name;
                break;
              case 'delete': {
                const em = orm.em.fork();
                const m = (await em.findOne(Member, id)) as Row | null;
                if (!m) break;
                em.remove(m);
                await em.flush();
                model[c.row] = null;
                break;
              }
              case 'restore': {
                const em = orm.em.fork();
                const m = (await em.findOneOrFail(Member, id, withDeleted())) as Row;
                if (m.deletedAt == null) break;
                restore(em, m);
                await em.flush();
                model[c.row] = m.name;
                break;
              }
              case 'race': {
                // A read on the other instance racing a committed update: it may see either value, the next read only the new one.
                const before = model[c.row];
                if (before === null) break;
                const other = (1 - c.side) as Side;
                const [seen] = await Promise.all([
                  read(other, c.row),
                  (async () => {
                    const em = orm.em.fork();
                    const m = (await em.findOneOrFail(Member, id)) as Row;
                    m.name = c.name;
                    await em.flush();
                  })(),
                ]);
                expect([before, c.name]).toContain(seen);
                model[c.row] = c.name;
                expect(await read(other, c.row)).toBe(c.name);
                expect(await read(c.side, c.row)).toBe(c.name);
                break;
              }
            }
          }
          for (const s of [0, 1] as const) for (const r of [0, 1]) expect(await read(s, r)).toBe(model[r]);
        }),
        { numRuns: 40 },
      );
      // The cache was really used on both sides, not bypassed.
      expect(cacheMetrics(orms[0]!, Member).hits).toBeGreaterThan(0);
      expect(cacheMetrics(orms[1]!, Member).hits).toBeGreaterThan(0);
    }, 120_000);
  });
}
