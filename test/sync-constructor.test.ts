// `new MikroORM(options)`, the synchronous constructor of MikroORM 7, must run the plugins exactly as
// `MikroORM.init(options)` does, or refuse at once with a typed error that says what to do.
import { MikroORM, type EntityMetadata } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { expect, test } from 'vitest';
import { PluginConfigError, PluginRegistry, SoftDeletePlugin, TimestampPlugin, plugin, pluginSystem, withPlugins } from '../src/index.js';
import { pluginOperations } from '../src/operations/index.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';
import { dumpTable, queryLog, statements, tableOf } from './support/fixtures-sql.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    labelled: { label?: string };
    slowSetup: Record<string, never>;
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin });

@withPlugins(['timestamp', 'softDelete'])
@Entity()
class SyncNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  createdAt?: Date;
  updatedAt?: Date;
  deletedAt?: Date | null;
}

/** What the plugins did in one short session: stamps set, the delete soft, the row hidden from reads. */
async function session(orm: TestOrm, log: ReturnType<typeof queryLog>) {
  const em = orm.em.fork();
  const note = em.create(SyncNote, { title: 'x' });
  await em.flush();
  const stamped = note.createdAt instanceof Date && note.updatedAt instanceof Date;
  log.clear();
  em.remove(note);
  await em.flush();
  const table = tableOf(orm, SyncNote);
  return {
    stamped,
    deletes: statements(log.queries, 'delete', table).length,
    updates: statements(log.queries, 'update', table).length,
    rowsLeft: (await dumpTable(orm, SyncNote)).length,
    found: await orm.em.fork().count(SyncNote),
  };
}

describeEachDatabase('new MikroORM() with plugins', (db: Database) => {
  test('runs the plugins exactly as MikroORM.init does', async () => {
    const results = [];
    for (const make of [db.init, db.construct]) {
      const log = queryLog();
      const orm = await make({ entities: [SyncNote], extensions: [pluginSystem({ registry })], ...log.options });
      try {
        results.push(await session(orm, log));
      } finally {
        await orm.close(true);
      }
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[1]).toEqual({ stamped: true, deletes: 0, updates: 1, rowsLeft: 1, found: 0 });
  });
});

/** A Standard Schema that answers asynchronously, as schemas with async refinements do. */
const asyncSchema: StandardSchemaV1<{ label?: string }> = {
  '~standard': { version: 1, vendor: 'test', validate: value => Promise.resolve({ value: value as { label?: string } }) },
};

test('an asynchronous option schema: new MikroORM() refuses with MOP_SYNC_INIT naming entity and plugin; init() accepts it', async () => {
  const own = new PluginRegistry();
  @plugin({ name: 'labelled', registry: own, options: { schema: asyncSchema } })
  class LabelledPlugin {}
  void LabelledPlugin;
  @withPlugins(['labelled'])
  @Entity()
  class SyncLabelled {
    @PrimaryKey({ type: 'integer' }) id!: number;
  }
  const options = { driver: SqliteDriver, dbName: ':memory:', entities: [SyncLabelled], extensions: [pluginSystem({ registry: own })] };
  expect(() => new MikroORM(options)).toThrow(expect.objectContaining({ code: 'MOP_SYNC_INIT', entity: 'SyncLabelled', plugin: 'labelled' }));
  expect(() => new MikroORM(options)).toThrow(PluginConfigError);
  expect(() => new MikroORM(options)).toThrow(/MikroORM\.init/);
  const orm = await MikroORM.init(options);
  await orm.close(true);
});

test('an asynchronous setupEntity: new MikroORM() refuses with MOP_SYNC_INIT', async () => {
  const own = new PluginRegistry();
  @plugin({ name: 'slowSetup', registry: own })
  class SlowSetupPlugin {
    async setupEntity(meta: EntityMetadata): Promise<void> {
      await Promise.resolve(meta);
    }
  }
  void SlowSetupPlugin;
  @withPlugins(['slowSetup'])
  @Entity()
  class SyncSlow {
    @PrimaryKey({ type: 'integer' }) id!: number;
  }
  const options = { driver: SqliteDriver, dbName: ':memory:', entities: [SyncSlow], extensions: [pluginSystem({ registry: own })] };
  expect(() => new MikroORM(options)).toThrow(expect.objectContaining({ code: 'MOP_SYNC_INIT', entity: 'SyncSlow', plugin: 'slowSetup' }));
  const orm = await MikroORM.init(options);
  await orm.close(true);
});

test('pluginOperations() needs start-up I/O: new MikroORM() refuses with MOP_SYNC_INIT', () => {
  const options = { driver: SqliteDriver, dbName: ':memory:', entities: [SyncNote], extensions: [pluginSystem({ registry }), pluginOperations()] };
  expect(() => new MikroORM(options)).toThrow(expect.objectContaining({ code: 'MOP_SYNC_INIT' }));
});
