// Property: whatever spellings of a string primary key reads and writes use (case, accents, trailing
// spaces, German ß), a cached read returns what the database returns for the same key at that moment.
import { defineEntity, p } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CachePlugin, cacheMetrics } from '../src/cache.js';
import { PluginRegistry, pluginSystem, usePlugins } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ cache: CachePlugin });

const Code = usePlugins(defineEntity({ name: 'SpeltCode', properties: { id: p.string().length(12).primary(), name: p.string() } }), [{ cache: { prefix: 'spelt' } }]);

/** Spellings of one short key: its letters' look-alikes under case- and accent-insensitive collations, trailing spaces. */
const key = fc
  .tuple(fc.constantFrom('a', 'A', 'á', 'Á'), fc.constantFrom('s', 'S', 'ß'), fc.constantFrom('', ' '))
  .map(parts => parts.join(''));
type Op = { op: 'read'; key: string } | { op: 'write'; key: string; name: string } | { op: 'insert'; key: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('read' as const), key }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('write' as const), key, name: fc.string({ minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), key }) },
);

describeEachDatabase('cache property: string keys spelled any way', db => {
  let orm: TestOrm;
  beforeAll(async () => {
    orm = await db.init({ entities: [Code], extensions: [pluginSystem({ registry })] });
  });
  afterAll(async () => orm?.close());

  test('a cached read equals a database read of the same key', async () => {
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 30 }), async ops => {
        await orm.em.fork().nativeDelete(Code, {});
        for (const o of ops) {
          if (o.op === 'insert') {
            // A key the collation already holds under another spelling is a duplicate: nothing inserted.
            await orm.em.fork().insert(Code, { id: o.key, name: 'new' }).catch(() => undefined);
          } else if (o.op === 'write') {
            const em = orm.em.fork();
            (em.getReference(Code, o.key) as { name: string }).name = o.name;
            await em.flush().catch(() => undefined); // no such row: nothing to update
          } else {
            // Twice: the second read is a hit when the first one filled.
            for (let i = 0; i < 2; i++) {
              const before = cacheMetrics(orm, Code).hits;
              const cached = ((await orm.em.fork().findOne(Code, o.key)) as { name: string } | null)?.name ?? null;
              hits += cacheMetrics(orm, Code).hits - before;
              const [row] = (await orm.em.fork().find(Code, { id: o.key })) as { name: string }[];
              expect(cached).toBe(row?.name ?? null);
            }
          }
        }
      }),
      {
        numRuns: 60,
        // Always tried: a row read under its own spelling, then written under another.
        examples: [[[{ op: 'insert', key: 'as' }, { op: 'read', key: 'as' }, { op: 'write', key: 'AS', name: 'x' }, { op: 'read', key: 'as' }]]],
      },
    );
    expect(hits).toBeGreaterThan(0);
  }, 120_000);
});
