// softCascade loads the children inside the flush's transaction: the read and the writes it leads to
// are one unit, so the query log shows the read between the flush's begin and commit.
import { Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['rooms'] } }])
@Entity()
class CtHouse {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => CtRoom, mappedBy: 'house' }) rooms = new Collection<CtRoom>(this);
  deletedAt?: Date | null;
}

@withPlugins(['softDelete'])
@Entity()
class CtRoom {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne({ entity: () => CtHouse }) house!: CtHouse;
  deletedAt?: Date | null;
}

/** The statements of the log, lower case, with the transaction markers as the driver logs them. */
function statements(log: readonly string[]): string[] {
  return log.map(line => line.replace(/^\[query\]\s*/, '').replace(/\s*\[took.*$/s, '').trim().toLowerCase());
}

const isBegin = (s: string) => /^(begin|start transaction)\b/.test(s);
const isCommit = (s: string) => /^commit\b/.test(s);

describeEachDatabase('soft delete: softCascade reads in the flush transaction', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  test('the children are selected after the begin of the flush that soft-deletes them, and before its commit', async () => {
    const log: string[] = [];
    const o = (orm = await db.init({ entities: [CtHouse, CtRoom], extensions: [pluginSystem({ registry })], debug: ['query'], colors: false, logger: (line: string) => log.push(line) }));
    const setup = o.em.fork();
    const house = setup.create(CtHouse, { name: 'house' });
    setup.create(CtRoom, { name: 'hall', house });
    setup.create(CtRoom, { name: 'attic', house });
    await setup.flush();

    const em = o.em.fork();
    em.remove(await em.findOneOrFail(CtHouse, house.id));
    log.length = 0;
    await em.flush();

    const sql = statements(log);
    const select = sql.findIndex(s => s.startsWith('select') && s.includes('ct_room'));
    const begin = sql.findIndex(isBegin);
    const commit = sql.findIndex(isCommit);
    expect(select).toBeGreaterThanOrEqual(0);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect([begin < select, select < commit]).toEqual([true, true]);
    // One transaction: the updates of the house and of both rooms are in it too.
    expect(sql.filter(isBegin)).toHaveLength(1);
    expect(sql.slice(begin, commit).filter(s => s.startsWith('update')).length).toBeGreaterThanOrEqual(2);
    expect(await o.em.fork().count(CtRoom, {})).toBe(0);
  });

  test('a flush that fails after the cascade read rolls back the whole of it', async () => {
    const o = (orm = await db.init({ entities: [CtHouse, CtRoom], extensions: [pluginSystem({ registry })] }));
    const setup = o.em.fork();
    const house = setup.create(CtHouse, { name: 'house' });
    setup.create(CtRoom, { name: 'hall', house });
    const other = setup.create(CtHouse, { name: 'other' });
    await setup.flush();

    const em = o.em.fork();
    const [toRemove, toBreak] = await Promise.all([em.findOneOrFail(CtHouse, house.id), em.findOneOrFail(CtHouse, other.id)]);
    em.remove(toRemove);
    // A NOT NULL column set to null: the write fails in the same flush.
    toBreak.name = null as never;
    await expect(em.flush()).rejects.toThrow();
    expect(em.isInTransaction()).toBe(false);
    expect(await o.em.fork().count(CtRoom, {})).toBe(1);
    expect(await o.em.fork().count(CtHouse, {})).toBe(2);
  });
});
