// Cache keys follow the database's idea of "the same primary key": a spelling the database treats as
// equal ('01' for 1, an upper-case UUID, another case under a case-insensitive collation) never reads
// an entry a committed write has changed, whichever spelling the read or the write used.
import { defineEntity, p } from '@mikro-orm/core';
import { afterEach, expect, test } from 'vitest';
import { CachePlugin, cacheMetrics } from '../src/cache.js';
import { PluginRegistry, pluginSystem, usePlugins } from '../src/index.js';
import { describeEachDatabase, type DatabaseName, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ cache: CachePlugin });
const UUID = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

/** Entities of their own per ORM (MikroORM keeps metadata on the class). */
function schemas() {
  return {
    ById: usePlugins(defineEntity({ name: 'ById', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { prefix: 'byId' } }]),
    ByUuid: usePlugins(defineEntity({ name: 'ByUuid', properties: { id: p.uuid().primary(), name: p.string() } }), [{ cache: { prefix: 'byUuid' } }]),
    ByCode: usePlugins(defineEntity({ name: 'ByCode', properties: { id: p.string().length(20).primary(), name: p.string() } }), [{ cache: { prefix: 'byCode' } }]),
  };
}

interface Spelling {
  readonly entity: 'ById' | 'ByUuid' | 'ByCode';
  /** The key as the row is stored. */
  readonly stored: string | number;
  /** Another spelling the database finds the same row with. */
  readonly other: string | number;
  readonly on: readonly DatabaseName[];
}

const spellings: Spelling[] = [
  { entity: 'ById', stored: 1, other: '01', on: ['sqlite', 'postgresql', 'mariadb'] },
  { entity: 'ByUuid', stored: UUID, other: UUID.toUpperCase(), on: ['postgresql', 'mariadb'] },
  { entity: 'ByCode', stored: 'abc', other: 'ABC', on: ['mariadb'] },
  { entity: 'ByCode', stored: 'abc', other: 'abc ', on: ['mariadb'] },
];

describeEachDatabase('cache keys: primary keys spelled differently', db => {
  let orm: TestOrm;
  afterEach(async () => orm?.close());

  for (const s of spellings.filter(s => s.on.includes(db.name))) {
    test(`${s.entity}: ${JSON.stringify(s.stored)} read and written as ${JSON.stringify(s.other)} is never stale`, async () => {
      const entities = schemas();
      const E = entities[s.entity] as never;
      orm = await db.init({ entities: Object.values(entities), extensions: [pluginSystem({ registry })] });
      const em = orm.em.fork();
      em.create(E, { id: s.stored, name: 'one' } as never);
      await em.flush();
      const read = async (id: string | number) => ((await orm.em.fork().findOne(E, id as never)) as { name: string } | null)?.name;
      const write = async (id: string | number, name: string) => {
        const fork = orm.em.fork();
        const ref = fork.getReference(E, id as never) as { name: string };
        ref.name = name;
        await fork.flush();
      };

      // Read under the other spelling (twice: a second read would be a hit), written under the stored one.
      expect(await read(s.other)).toBe('one');
      expect(await read(s.other)).toBe('one');
      await write(s.stored, 'two');
      expect(await read(s.other)).toBe('two');
      // Read under the stored spelling, written under the other one.
      expect(await read(s.stored)).toBe('two');
      expect(await read(s.stored)).toBe('two');
      await write(s.other, 'three');
      expect(await read(s.stored)).toBe('three');
      expect(await read(s.other)).toBe('three');
      // The stored spelling is still cached.
      const hits = cacheMetrics(orm, E).hits;
      expect(await read(s.stored)).toBe('three');
      expect(cacheMetrics(orm, E).hits).toBe(hits + 1);
    });
  }

  if (db.name !== 'mariadb') {
    test('a case-sensitive database keeps two spellings apart: each read gets its own row, from the cache too', async () => {
      const entities = schemas();
      const E = entities.ByCode as never;
      orm = await db.init({ entities: Object.values(entities), extensions: [pluginSystem({ registry })] });
      const em = orm.em.fork();
      em.create(E, { id: 'abc', name: 'lower' } as never);
      em.create(E, { id: 'ABC', name: 'upper' } as never);
      await em.flush();
      const read = async (id: string) => ((await orm.em.fork().findOne(E, id as never)) as { name: string } | null)?.name;
      for (let i = 0; i < 2; i++) {
        expect(await read('abc')).toBe('lower');
        expect(await read('ABC')).toBe('upper');
      }
      expect(cacheMetrics(orm, E).hits).toBe(2);
      const fork = orm.em.fork();
      (fork.getReference(E, 'ABC' as never) as { name: string }).name = 'UPPER';
      await fork.flush();
      expect(await read('abc')).toBe('lower');
      expect(await read('ABC')).toBe('UPPER');
    });
  }
});
