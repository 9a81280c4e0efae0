// `onCommit(em, fn)`: deferred until the outermost transaction commits, dropped on rollback, at once outside
// any transaction; whether or not some plugin hooks afterCommit, and with no plugin attached at all.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { EntityManager } from '@mikro-orm/core';
import { afterEach, expect, test } from 'vitest';
import { hook, onCommit, plugin, pluginSystem, PluginRegistry, withPlugins } from '../src/index.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    ocTouch: Record<string, never>;
  }
}

const registry = new PluginRegistry();

/** Attached, but hooks no afterCommit: the package still follows transactions for onCommit. */
@plugin({ name: 'ocTouch', registry })
export class TouchPlugin {
  @hook('beforeCreate') touch(entity: OcEntry): void {
    entity.label = entity.label.trim();
  }
}

@withPlugins(['ocTouch'])
@Entity()
class OcEntry {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

@Entity()
class OcPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const log: string[] = [];
const note = (line: string) => () => void log.push(line);

/** The cases every set-up must pass; `write` stores a row in `em`'s transaction. */
function commitCases(setUp: (db: Database) => Promise<TestOrm>, write: (em: EntityManager, label: string) => Promise<void>) {
  return (db: Database) => {
    let orm: TestOrm;
    afterEach(async () => {
      log.length = 0;
      await orm?.close();
    });

    test('outside any transaction, runs at once', async () => {
      orm = await setUp(db);
      await onCommit(orm.em.fork(), note('ran'));
      expect(log).toEqual(['ran']);
    });

    test('inside a transaction, waits for the commit', async () => {
      orm = await setUp(db);
      await orm.em.fork().transactional(async em => {
        await write(em, 'a');
        await onCommit(em, note('committed'));
        log.push('still open');
      });
      expect(log).toEqual(['still open', 'committed']);
    });

    test('a committed savepoint waits for the outermost commit; a rolled-back one drops its own', async () => {
      orm = await setUp(db);
      await orm.em.fork().transactional(async em => {
        await onCommit(em, note('outer'));
        await em.transactional(async inner => {
          await write(inner, 'kept');
          await onCommit(inner, note('nested kept'));
        });
        await expect(
          em.transactional(async inner => {
            await onCommit(inner, note('nested dropped'));
            throw new Error('nested abort');
          }),
        ).rejects.toThrow('nested abort');
        log.push('savepoints done');
      });
      expect(log).toEqual(['savepoints done', 'outer', 'nested kept']);
    });

    test('never runs after a rollback', async () => {
      orm = await setUp(db);
      await expect(
        orm.em.fork().transactional(async em => {
          await write(em, 'doomed');
          await onCommit(em, note('must not run'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const em = orm.em.fork();
      await em.begin();
      await onCommit(em, note('manual rollback'));
      await em.rollback();
      expect(log).toEqual([]);
    });

    test('em.begin() / em.commit() defer too', async () => {
      orm = await setUp(db);
      const em = orm.em.fork();
      await em.begin();
      await onCommit(em, note('manual'));
      expect(log).toEqual([]);
      await em.commit();
      expect(log).toEqual(['manual']);
    });
  };
}

async function writeEntry(em: EntityManager, label: string): Promise<void> {
  em.create(OcEntry, { label });
  await em.flush();
}

async function writePlain(em: EntityManager, label: string): Promise<void> {
  em.create(OcPlain, { label });
  await em.flush();
}

describeEachDatabase(
  'onCommit with a plugin attached that hooks no afterCommit',
  commitCases(db => db.init({ entities: [OcEntry], extensions: [pluginSystem({ registry })] }), writeEntry),
);

describeEachDatabase(
  'onCommit with nothing attached',
  commitCases(db => db.init({ entities: [OcPlain], extensions: [pluginSystem({ registry })] }), writePlain),
);

describeEachDatabase('onCommit with nothing attached: start-up and the first call', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    log.length = 0;
    await orm?.close();
  });

  test('no subscriber at start-up; the first onCommit inside a savepoint opened before cannot see the outer transaction', async () => {
    orm = await db.init({ entities: [OcPlain], extensions: [pluginSystem({ registry })] });
    expect(orm.em.getEventManager().getSubscribers().size).toBe(0);
    await orm.em.fork().transactional(async em => {
      await em.transactional(async inner => {
        await expect(onCommit(inner, note('lost'))).rejects.toMatchObject({ code: 'MOP_NOT_INSTALLED' });
      });
    });
    // From then on the package follows every transaction.
    await orm.em.fork().transactional(async em => {
      await em.transactional(async inner => onCommit(inner, note('nested')));
      log.push('outer open');
    });
    expect(log).toEqual(['outer open', 'nested']);
  });

  test('without the package in the ORM, onCommit inside a transaction is an error, outside it runs', async () => {
    orm = await db.init({ entities: [OcPlain] });
    await onCommit(orm.em.fork(), note('outside'));
    await orm.em.fork().transactional(async em => {
      await expect(onCommit(em, note('inside'))).rejects.toMatchObject({ code: 'MOP_NOT_INSTALLED' });
    });
    expect(log).toEqual(['outside']);
  });
});
