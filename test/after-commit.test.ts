import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { hook, plugin, pluginSystem, PluginRegistry, type EntityChanges, type PluginError } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

@Entity()
class Ledger {
  static plugins = ['committed', 'failing'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const log: string[] = [];
const registry = new PluginRegistry();

@plugin({ name: 'committed', registry })
export class CommittedPlugin {
  @hook('afterCommit')
  record(entity: Ledger, changes: EntityChanges<Ledger>): void {
    log.push(`commit ${changes.kind} ${entity.label}`);
  }
}

@plugin({ name: 'failing', registry })
export class FailingPlugin {
  @hook('beforeCreate')
  refuse(entity: Ledger): void {
    if (entity.label.startsWith('bad')) throw new Error('refused');
  }

  @hook('afterCommit', { priority: 10 })
  explode(entity: Ledger): void {
    if (entity.label === 'explodes') throw new Error('after-commit boom');
  }
}

describeEachDatabase('afterCommit', db => {
  let orm: TestOrm;
  const errors: PluginError[] = [];

  beforeEach(async () => {
    log.length = 0;
    errors.length = 0;
    orm = await db.init({ entities: [Ledger], extensions: [pluginSystem({ registry, onError: e => errors.push(e) })] });
  });
  afterEach(() => orm.close());

  test('runs after the flush commits, with the changes', async () => {
    const em = orm.em.fork();
    const row = em.create(Ledger, { label: 'a' });
    await em.flush();
    row.label = 'b';
    await em.flush();
    em.remove(row);
    await em.flush();
    expect(log).toEqual(['commit create a', 'commit update b', 'commit delete b']);
  });

  test('never runs for a flush that rolled back', async () => {
    const em = orm.em.fork();
    em.create(Ledger, { label: 'ok' });
    em.create(Ledger, { label: 'bad one' });
    await expect(em.flush()).rejects.toMatchObject({ code: 'MOP_HOOK_FAILED' });
    expect(log).toEqual([]);
    expect(await orm.em.fork().count(Ledger)).toBe(0);
  });

  test('inside em.transactional, waits for the outer commit', async () => {
    await orm.em.fork().transactional(async em => {
      em.create(Ledger, { label: 'inner' });
      await em.flush();
      log.push('flushed, not committed');
    });
    expect(log).toEqual(['flushed, not committed', 'commit create inner']);
  });

  test('a rolled-back transaction drops what it wrote', async () => {
    await expect(
      orm.em.fork().transactional(async em => {
        em.create(Ledger, { label: 'doomed' });
        await em.flush();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(log).toEqual([]);
  });

  test('a rolled-back savepoint drops only its own writes', async () => {
    await orm.em.fork().transactional(async em => {
      em.create(Ledger, { label: 'kept' });
      await em.flush();
      await expect(
        em.transactional(async inner => {
          inner.create(Ledger, { label: 'nested' });
          await inner.flush();
          throw new Error('nested abort');
        }),
      ).rejects.toThrow('nested abort');
    });
    expect(log).toEqual(['commit create kept']);
    expect((await orm.em.fork().find(Ledger, {})).map(l => l.label)).toEqual(['kept']);
  });

  test('a committed savepoint waits for the outer commit too', async () => {
    await orm.em.fork().transactional(async em => {
      em.create(Ledger, { label: 'outer' });
      await em.flush();
      await em.transactional(async inner => {
        inner.create(Ledger, { label: 'nested' });
        await inner.flush();
      });
      log.push('nested released, outer still open');
    });
    expect(log).toEqual(['nested released, outer still open', 'commit create outer', 'commit create nested']);
  });

  test('an error goes to onError, the write stands, later hooks still run', async () => {
    const em = orm.em.fork();
    em.create(Ledger, { label: 'explodes' });
    em.create(Ledger, { label: 'fine' });
    await em.flush();
    expect(errors.map(e => [e.code, e.plugin, e.entity])).toEqual([['MOP_HOOK_FAILED', 'failing', 'Ledger']]);
    expect(log).toEqual(['commit create explodes', 'commit create fine']);
    expect(await orm.em.fork().count(Ledger)).toBe(2);
  });
});
