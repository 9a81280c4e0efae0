// Upserting an entity the EntityManager already manages (loaded, or created and flushed) is a change of
// that row: updatedAt moves as it would on a flush, createdAt stays. A value set on purpose is kept.
// Found with MikroORM's own upsert tests run with the plugin on every entity (mikro-suite, mode c).
import { defineEntity, p } from '@mikro-orm/core';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, TimestampPlugin, pluginSystem } from '../src/index.js';
import { fakeClock } from '../src/testing.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

const Member = defineEntity({ name: 'TuMember', properties: { id: p.integer().primary(), email: p.string().unique(), visits: p.integer() } });
type MemberRow = { id: number; email: string; visits: number; createdAt: Date; updatedAt: Date };

describeEachDatabase('timestamps of an upserted managed entity', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const clock = fakeClock(new Date('2030-01-01T00:00:00Z'));
  const start = async () => {
    clock.set(new Date('2030-01-01T00:00:00Z'));
    const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin });
    orm = await db.init({ entities: [Member], extensions: [pluginSystem({ registry, global: [{ timestamp: { now: clock.now } }] })] });
    await orm.em.fork().insert(Member, { email: 'a@x', visits: 1 });
    return orm;
  };
  const stored = async () => (await orm!.em.fork().findOneOrFail(Member, { email: 'a@x' })) as unknown as MemberRow;

  test('em.upsert of a loaded entity moves updatedAt and keeps createdAt', async () => {
    await start();
    const em = orm!.em.fork();
    const member = (await em.findOneOrFail(Member, { email: 'a@x' })) as unknown as MemberRow;
    clock.advance(60_000);
    member.visits = 2;
    await em.upsert(Member, member as never);
    const row = await stored();
    expect(row.visits).toBe(2);
    expect(row.createdAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(row.updatedAt.toISOString()).toBe('2030-01-01T00:01:00.000Z');
  });

  test('em.upsertMany of loaded entities moves each updatedAt', async () => {
    await start();
    await orm!.em.fork().insert(Member, { email: 'b@x', visits: 1 });
    const em = orm!.em.fork();
    const members = (await em.find(Member, {}, { orderBy: { email: 'asc' } })) as unknown as MemberRow[];
    clock.advance(120_000);
    for (const m of members) m.visits += 1;
    await em.upsertMany(Member, members as never[]);
    const rows = (await orm!.em.fork().find(Member, {}, { orderBy: { email: 'asc' } })) as unknown as MemberRow[];
    expect(rows.map(r => [r.visits, r.updatedAt.toISOString()])).toEqual([
      [2, '2030-01-01T00:02:00.000Z'],
      [2, '2030-01-01T00:02:00.000Z'],
    ]);
  });

  test('an updatedAt the caller set on the managed entity is kept', async () => {
    await start();
    const em = orm!.em.fork();
    const member = (await em.findOneOrFail(Member, { email: 'a@x' })) as unknown as MemberRow;
    clock.advance(60_000);
    member.updatedAt = new Date('2031-05-05T05:05:05Z');
    await em.upsert(Member, member as never);
    expect((await stored()).updatedAt.toISOString()).toBe('2031-05-05T05:05:05.000Z');
  });
});
