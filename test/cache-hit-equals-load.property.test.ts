// Property: a cache hit is what a database load returns: the same values of the same types, for
// dates, bigints, decimals, JSON, embeddables (inline and object-mode), enums, booleans and custom
// types, nulls included, on every database and with the memory and the Redis store.
import { defineEntity, p, Type } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CachePlugin, cacheMetrics, redisStore, type CacheStore } from '../src/cache.js';
import { PluginRegistry, pluginSystem, usePlugins } from '../src/index.js';
import { dropPrefix, redisUp, SHARED_REDIS, uniquePrefix } from './support/cache-redis.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ cache: CachePlugin });

enum Level {
  Low = 'low',
  High = 'high',
}

interface Point {
  x: number;
  y: number;
}

/** A custom type: a point kept as `x;y` text. */
class PointType extends Type<Point | null, string | null> {
  override convertToDatabaseValue(value: Point | null): string | null {
    return value == null ? null : `${value.x};${value.y}`;
  }
  override convertToJSValue(value: string | null): Point | null {
    if (value == null) return null;
    const [x, y] = value.split(';').map(Number);
    return { x: x!, y: y! };
  }
  override getColumnType(): string {
    return 'varchar(60)';
  }
  override compareAsType(): string {
    return 'string';
  }
}

function schema(store: CacheStore | 'memory', name: string) {
  const Address = defineEntity({
    name: `${name}Address`,
    embeddable: true,
    properties: { street: p.string(), since: p.datetime().nullable(), tags: p.json<string[]>().nullable() },
  });
  return [
    Address,
    usePlugins(
      defineEntity({
        name,
        properties: {
          id: p.integer().primary(),
          at: p.datetime(),
          day: p.date().nullable(),
          big: p.bigint().nullable(),
          amount: p.decimal().precision(12).scale(3).nullable(),
          data: p.json<Record<string, unknown> | unknown[]>().nullable(),
          flag: p.boolean().nullable(),
          level: p.enum(() => Level).nullable(),
          point: p.type(PointType).nullable(),
          address: p.embedded(Address).nullable(),
          office: p.embedded(Address).object().nullable(),
        },
      }),
      [{ cache: { prefix: name, store } }],
    ),
  ] as const;
}

const text = fc.string({ unit: fc.constantFrom(...'abcXYZ 019é_'.split('')), maxLength: 8 });
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -1e6, max: 1e6 }),
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: fc.constantFrom(...'abkz'.split('')), minLength: 1, maxLength: 3 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;
// Whole seconds: MariaDB's datetime keeps no milliseconds by default (a hit and a load agree either way).
const date = fc.integer({ min: 0, max: 4_000_000_000 }).map(s => new Date(s * 1000));
const address = fc.record({ street: text, since: fc.option(date), tags: fc.option(fc.array(text, { maxLength: 3 })) });
const row = fc.record({
  at: date,
  day: fc.option(fc.integer({ min: 0, max: 40_000 }).map(d => new Date(d * 86_400_000).toISOString().slice(0, 10))),
  big: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  amount: fc.option(fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 999 })).map(([i, f]) => `${i}.${String(f).padStart(3, '0')}`)),
  data: fc.option(fc.oneof(fc.dictionary(fc.constantFrom('a', 'b', 'c'), json, { maxKeys: 3 }), fc.array(json, { maxLength: 3 }))),
  flag: fc.option(fc.boolean()),
  level: fc.option(fc.constantFrom(Level.Low, Level.High)),
  point: fc.option(fc.record({ x: fc.integer({ min: -1000, max: 1000 }), y: fc.integer({ min: -1000, max: 1000 }) })),
  address: fc.option(address),
  office: fc.option(address),
});

/** Every own value of an entity, with the class of every object on the way (a string where a load has an object fails). */
function typed(value: unknown, seen = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return { bigint: String(value) };
  if (typeof value !== 'object') return { [typeof value]: value };
  if (value instanceof Date) return { Date: value.getTime() };
  if (seen > 8) return '…';
  if (Array.isArray(value)) return value.map(v => typed(v, seen + 1));
  const out: Record<string, unknown> = { class: value.constructor?.name ?? null };
  for (const key of Object.keys(value).sort()) out[key] = typed((value as Record<string, unknown>)[key], seen + 1);
  return out;
}

describeEachDatabase('cache property: a hit equals a database load', db => {
  let orm: TestOrm;
  const keyPrefix = uniquePrefix('hit-eq');
  const redis = redisUp ? redisStore({ url: SHARED_REDIS, keyPrefix }) : undefined;
  const stores = [{ label: 'memory', store: 'memory' as const }, ...(redis ? [{ label: 'Redis', store: redis }] : [])];

  beforeAll(async () => {
    const entities = stores.flatMap(({ label, store }) => schema(store, `HitEq${label}`));
    orm = await db.init({ entities, extensions: [pluginSystem({ registry })] });
    if (redis) expect(await redis.ready()).toBe(true); // reads skip a store still connecting
  });
  afterAll(async () => {
    await redis?.close();
    await orm?.close();
    if (redis) await dropPrefix(SHARED_REDIS, keyPrefix);
  });

  for (const { label } of stores) {
    const name = `HitEq${label}`;
    test(`${label} store: every property of a hit has the value and type of a fresh load`, async () => {
      await fc.assert(
        fc.asyncProperty(row, async values => {
          const em = orm.em.fork();
          const entity = em.create(name as never, values as never) as { id: number };
          await em.flush();
          const id = entity.id;
          const miss = await orm.em.fork().findOneOrFail(name as never, id as never);
          const hits = cacheMetrics(orm, name).hits;
          const hitEm = orm.em.fork();
          const hit = await hitEm.findOneOrFail(name as never, id as never);
          expect(cacheMetrics(orm, name).hits).toBe(hits + 1);
          // Its snapshot matches it: a flush after a hit writes nothing.
          hitEm.getUnitOfWork().computeChangeSets();
          expect(hitEm.getUnitOfWork().getChangeSets()).toEqual([]);
          const [load] = await orm.em.fork().find(name as never, { id } as never);
          expect(typed({ ...hit })).toEqual(typed({ ...load }));
          expect(typed({ ...miss })).toEqual(typed({ ...load }));
        }),
        { numRuns: 40 },
      );
    }, 120_000);
  }
});
