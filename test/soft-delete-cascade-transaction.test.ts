// softCascade loads the children inside the flush's transaction: the read and the writes it leads to
// are one unit, so the query log shows the read between the flush's begin and commit. It locks the
// parent row first, so a child another transaction is inserting meanwhile is cascaded too.
import { Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, describe, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase, mariadb, postgresql, type Database } from './support/databases.js';

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

/**
 * Whether another session of this test's database waits for a lock. MariaDB lists a locking read by
 * primary key in none of its lock tables while it waits (it waits in the optimizer, state
 * `Statistics`): a statement of this database still running after a second is taken for one.
 */
const LOCK_WAIT: Record<'postgresql' | 'mariadb', string> = {
  postgresql: "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
  mariadb: "select count(*) as n from information_schema.processlist where db = database() and id <> connection_id() and command = 'Query' and time >= 1",
};

/** Resolves once a session waits for a lock, or when `done` says the race is over. */
async function lockWaiting(o: MikroORM, name: 'postgresql' | 'mariadb', done: () => boolean): Promise<'waiting' | 'not waiting'> {
  while (!done()) {
    const [row] = await o.em.getConnection().execute<{ n: number | string }[]>(LOCK_WAIT[name]);
    if (Number(row!.n) > 0) return 'waiting';
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  return 'not waiting';
}

for (const db of [postgresql, mariadb] as (Database & { name: 'postgresql' | 'mariadb' })[]) {
  describe.skipIf(db.unavailable !== undefined)(`soft delete: softCascade and a concurrent insert [${db.name}]`, () => {
    let orm: MikroORM | undefined;
    afterEach(async () => {
      await orm?.close();
      orm = undefined;
    });

    test('a child inserted by a transaction still open when the cascade starts is cascaded once that transaction commits', async () => {
      const o = (orm = await db.init({ entities: [CtHouse, CtRoom], extensions: [pluginSystem({ registry })] }));
      const setup = o.em.fork();
      const house = setup.create(CtHouse, { name: 'house' });
      setup.create(CtRoom, { name: 'hall', house });
      await setup.flush();

      // Another request inserts a room and has not committed yet.
      const other = o.em.fork();
      await other.begin();
      other.create(CtRoom, { name: 'late', house: other.getReference(CtHouse, house.id) });
      await other.flush();

      const em = o.em.fork();
      const removed = await em.findOneOrFail(CtHouse, house.id);
      em.remove(removed);
      let flushed = false;
      const flushing = em.flush().finally(() => (flushed = true));
      // The cascade either waits for the other transaction (its lock on the house) or, reading past it, finishes.
      const first = await Promise.race([flushing.then(() => 'flushed' as const), lockWaiting(o, db.name, () => flushed)]);
      await other.commit();
      await flushing;

      expect(first).toBe('waiting');
      const rooms = await o.em.fork().find(CtRoom, {}, { filters: false, orderBy: { name: 'asc' } });
      expect(rooms.map(r => [r.name, r.deletedAt != null])).toEqual([
        ['hall', true],
        ['late', true],
      ]);
    });
  });
}

