import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterAll, expect, test } from 'vitest';
import { describeChain, hook, plugin, pluginSystem, PluginRegistry, SoftDeletePlugin, TimestampPlugin, withPlugins, type PluginList } from '../src/index.js';
import { disablePlugin, enablePlugin, pluginOperations, pluginStateEntities, readPluginState, refreshPluginState, setPluginPriority, setPluginStatus, syncPluginState, type PluginOperationsOptions } from '../src/operations/index.js';
import { describeEachDatabase, type Database, type TestOrm, sameDatabase } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    opsFirst: { label?: string; token?: string };
    opsSecond: Record<string, never>;
  }
}

/** Which hooks ran, in order, for the current test. */
const calls: string[] = [];

@withPlugins(['timestamp', 'softDelete', { opsFirst: { label: 'post', token: 'tok-SECRET-value' } }, 'opsSecond'])
@Entity()
class OpsPost {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'datetime', nullable: true }) createdAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) updatedAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
}

@Entity()
class OpsTag {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  static plugins: PluginList = ['opsFirst'];
}

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin });
  @plugin({
    name: 'opsFirst',
    registry,
    version: '1.0.0',
    description: 'first probe',
    options: { fields: { label: { type: 'string', default: 'x' }, token: { type: 'string', secret: true } } },
  })
  class OpsFirst {
    @hook('beforeCreate', { priority: 10 }) first(entity: { constructor: Function }) {
      calls.push(`first:${entity.constructor.name}`);
    }
  }
  @plugin({ name: 'opsSecond', registry, version: '2.0.0', description: 'second probe' })
  class OpsSecond {
    @hook('beforeCreate', { priority: 20 }) second() {
      calls.push('second');
    }
  }
  void OpsFirst;
  void OpsSecond;
  return registry;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh database shared by the ORMs of one test: a file for SQLite, the test database otherwise. */
function connectionFor(db: Database): Record<string, unknown> {
  if (db.name !== 'sqlite') return {};
  const dir = mkdtempSync(join(tmpdir(), 'mop-ops-state-'));
  dirs.push(dir);
  return { dbName: join(dir, 'state.sqlite') };
}

async function firstOrm(db: Database, connection: Record<string, unknown>, ops: PluginOperationsOptions = { state: { pollInterval: false } }) {
  const registry = newRegistry();
  const orm = await db.init({ ...connection, entities: [OpsPost, OpsTag], extensions: [pluginSystem({ registry }), pluginOperations(ops)] });
  // db.init wipes and recreates the tables after MikroORM.init, which read the previous test's rows: read again.
  await refreshPluginState(orm, { force: true });
  return { orm, registry };
}

/** Another instance on the same database, as a second process would be: its own registry, runtime and state snapshot. */
async function secondOrm(first: TestOrm, ops: PluginOperationsOptions): Promise<TestOrm> {
  const registry = newRegistry();
  return (await MikroORM.init({
    ...sameDatabase(first),
    entities: [OpsPost, OpsTag],
    extensions: [pluginSystem({ registry }), pluginOperations(ops)],
  })) as TestOrm;
}

const chain = (orm: TestOrm) => describeChain(orm, OpsPost, 'beforeCreate').map(h => `${h.plugin}:${h.priority}`);

async function createPost(orm: TestOrm, title = 'p'): Promise<void> {
  calls.length = 0;
  const em = orm.em.fork();
  em.create(OpsPost, { title });
  await em.flush();
}

/** Polls a condition a bounded number of times: no timing assertion, only "eventually, within N tries". */
async function eventually(condition: () => boolean | Promise<boolean>, attempts = 200, pause = 25): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await new Promise(resolve => setTimeout(resolve, pause));
  }
  return false;
}

describeEachDatabase('plugin state', db => {
  test('sync create inserts one * row per plugin and one per (plugin, entity); a second run changes nothing', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      const report = await syncPluginState(orm);
      expect(report.inserted).toEqual(
        expect.arrayContaining(['timestamp', 'softDelete', 'opsFirst', 'opsSecond', 'timestamp @ OpsPost', 'softDelete @ OpsPost', 'opsFirst @ OpsPost', 'opsSecond @ OpsPost', 'opsFirst @ OpsTag']),
      );
      expect(report.inserted).toHaveLength(9);
      const steps: string[] = [];
      const again = await syncPluginState(orm, { mode: 'create', onProgress: step => steps.push(step) });
      expect(again).toEqual({ inserted: [], updated: [], pruned: [] });
      // Each database step is announced before it runs (the CLI shows them on a terminal).
      expect(steps).toEqual(['reading 9 plugin state row(s)', 'writing 0 new, 0 updated, 0 pruned row(s)']);
      const rows = readPluginState(orm);
      const first = rows.find(r => r.plugin === 'opsFirst' && r.entity === '*')!;
      expect(first).toMatchObject({ status: 'active', priority: 10, description: 'first probe', options: null });
      expect(rows.find(r => r.plugin === 'opsFirst' && r.entity === 'OpsPost')).toMatchObject({ status: 'active', priority: null, options: { label: 'post' } });
      // Unique on (plugin, entity): the database refuses a duplicate.
      const { PluginState } = pluginStateEntities(orm);
      await expect(orm.em.fork().insert(PluginState, { plugin: 'opsFirst', entity: '*', status: 'active', updatedAt: new Date() })).rejects.toThrow();
    } finally {
      await orm.close();
    }
  });

  test('the secret option is never written to plugin_state', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      await syncPluginState(orm, { mode: 'update' });
      const { PluginState } = pluginStateEntities(orm);
      const table = orm.getMetadata().get(PluginState).tableName;
      const raw = await orm.em.getConnection().execute(`select * from ${orm.em.getPlatform().quoteIdentifier(table)}`);
      expect(JSON.stringify(raw)).not.toContain('tok-SECRET-value');
      expect(JSON.stringify(raw)).toContain('post');
    } finally {
      await orm.close();
    }
  });

  test("create never overwrites operators' changes; update refreshes priority, description and options from code; status stays", async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      await setPluginStatus(orm, 'opsSecond', 'reserve');
      await setPluginPriority(orm, 'opsFirst', 99);
      await setPluginPriority(orm, 'opsFirst', 5, { entity: 'OpsPost' });
      const { PluginState } = pluginStateEntities(orm);
      await orm.em.fork().nativeUpdate(PluginState, { plugin: 'opsSecond', entity: '*' }, { description: 'stale words' });
      expect((await syncPluginState(orm, { mode: 'create' })).updated).toEqual([]);
      await refreshPluginState(orm);
      expect(readPluginState(orm).find(r => r.plugin === 'opsFirst' && r.entity === '*')!.priority).toBe(99);
      expect(readPluginState(orm).find(r => r.plugin === 'opsSecond' && r.entity === '*')!.description).toBe('stale words');

      const report = await syncPluginState(orm, { mode: 'update' });
      expect([...report.updated].sort()).toEqual(['opsFirst', 'opsFirst @ OpsPost', 'opsSecond'].sort());
      const rows = readPluginState(orm);
      expect(rows.find(r => r.plugin === 'opsFirst' && r.entity === '*')).toMatchObject({ priority: 10 });
      expect(rows.find(r => r.plugin === 'opsFirst' && r.entity === 'OpsPost')).toMatchObject({ priority: null });
      expect(rows.find(r => r.plugin === 'opsSecond' && r.entity === '*')).toMatchObject({ description: 'second probe', status: 'reserve' });
      expect((await syncPluginState(orm, { mode: 'update' })).updated).toEqual([]);
    } finally {
      await orm.close();
    }
  });

  test('prune removes rows of plugins (and plugin/entity pairs) that no longer exist, only when asked', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      const { PluginState } = pluginStateEntities(orm);
      const em = orm.em.fork();
      await em.insert(PluginState, { plugin: 'retired', entity: '*', status: 'active', updatedAt: new Date() });
      await em.insert(PluginState, { plugin: 'opsSecond', entity: 'OpsTag', status: 'disabled', updatedAt: new Date() });
      expect((await syncPluginState(orm)).pruned).toEqual([]);
      expect([...(await syncPluginState(orm, { prune: true })).pruned].sort()).toEqual(['opsSecond @ OpsTag', 'retired']);
      expect(readPluginState(orm).some(r => r.plugin === 'retired')).toBe(false);
      expect((await syncPluginState(orm, { prune: true })).pruned).toEqual([]);
    } finally {
      await orm.close();
    }
  });

  test('the chain honours the stored status on the next operation: entity row, * row, reserve, back to active', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      await createPost(orm);
      expect(calls).toEqual(['first:OpsPost', 'second']);

      await disablePlugin(orm, 'opsFirst', { entity: 'OpsPost' });
      await createPost(orm);
      expect(calls).toEqual(['second']);
      // Other entities keep it.
      calls.length = 0;
      const em = orm.em.fork();
      em.create(OpsTag, { name: 't' });
      await em.flush();
      expect(calls).toEqual(['first:OpsTag']);

      await enablePlugin(orm, 'opsFirst', { entity: 'OpsPost' });
      await setPluginStatus(orm, 'opsSecond', 'reserve');
      await createPost(orm);
      expect(calls).toEqual(['first:OpsPost']);

      // A disabled * row wins over an active entity row: the more restrictive status applies.
      await setPluginStatus(orm, 'opsSecond', 'active');
      await disablePlugin(orm, 'opsFirst');
      await createPost(orm);
      expect(calls).toEqual(['second']);
      await enablePlugin(orm, 'opsFirst');
      await createPost(orm);
      expect(calls).toEqual(['first:OpsPost', 'second']);
    } finally {
      await orm.close();
    }
  });

  test('the chain honours the stored priority: entity row, else * row, else code; null returns to the code', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      expect(chain(orm)).toEqual(['timestamp:-100', 'opsFirst:10', 'opsSecond:20']);
      await setPluginPriority(orm, 'opsSecond', 0);
      expect(chain(orm)).toEqual(['timestamp:-100', 'opsSecond:0', 'opsFirst:10']);
      await createPost(orm);
      expect(calls).toEqual(['second', 'first:OpsPost']);
      await setPluginPriority(orm, 'opsSecond', 50, { entity: 'OpsPost' });
      expect(chain(orm)).toEqual(['timestamp:-100', 'opsFirst:10', 'opsSecond:50']);
      await setPluginPriority(orm, 'opsSecond', null, { entity: 'OpsPost' });
      expect(chain(orm)).toEqual(['timestamp:-100', 'opsSecond:0', 'opsFirst:10']);
      await setPluginPriority(orm, 'opsSecond', 20);
      expect(chain(orm)).toEqual(['timestamp:-100', 'opsFirst:10', 'opsSecond:20']);
    } finally {
      await orm.close();
    }
  });

  test("a query filter lifts when its plugin is disabled for the entity", async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      await createPost(orm, 'gone');
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(OpsPost, { title: 'gone' }));
      await em.flush();
      expect(await orm.em.fork().count(OpsPost)).toBe(0);
      await disablePlugin(orm, 'softDelete', { entity: 'OpsPost' });
      expect(await orm.em.fork().count(OpsPost)).toBe(1);
      await enablePlugin(orm, 'softDelete', { entity: 'OpsPost' });
      expect(await orm.em.fork().count(OpsPost)).toBe(0);
    } finally {
      await orm.close();
    }
  });

  test('unknown plugin, entity or status is refused, naming it', async () => {
    const { orm } = await firstOrm(db, connectionFor(db));
    try {
      await syncPluginState(orm);
      await expect(disablePlugin(orm, 'nope')).rejects.toMatchObject({ code: 'MOP_UNKNOWN_PLUGIN', message: expect.stringContaining("'nope'") });
      await expect(disablePlugin(orm, 'opsSecond', { entity: 'OpsTag' })).rejects.toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
      await expect(setPluginStatus(orm, 'opsSecond', 'paused' as never)).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS' });
      await expect(setPluginPriority(orm, 'opsSecond', 1.5)).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS' });
    } finally {
      await orm.close();
    }
  });

  test('without the table: code defaults, and a change is refused with MOP_STATE_UNAVAILABLE', async () => {
    const registry = newRegistry();
    const connection = connectionFor(db);
    const orm = await db.init({ ...connection, entities: [OpsPost, OpsTag], extensions: [pluginSystem({ registry }), pluginOperations({ state: { pollInterval: false } })] });
    try {
      const { PluginState, PluginStateVersion } = pluginStateEntities(orm);
      const quote = (e: object) => orm.em.getPlatform().quoteIdentifier(orm.getMetadata().get(e as never).tableName);
      await orm.em.getConnection().execute(`drop table ${quote(PluginState)}`);
      await orm.em.getConnection().execute(`drop table ${quote(PluginStateVersion)}`);
      await expect(disablePlugin(orm, 'opsSecond')).rejects.toMatchObject({ code: 'MOP_STATE_UNAVAILABLE' });
      await createPost(orm);
      expect(calls).toEqual(['first:OpsPost', 'second']);
    } finally {
      await orm.close();
    }
  });

  test('another instance sees a change within its poll interval; one starting later honours it from its first operation', async () => {
    const connection = connectionFor(db);
    const { orm: a } = await firstOrm(db, connection);
    const b = await secondOrm(a, { state: { pollInterval: 20 } });
    let c: TestOrm | undefined;
    try {
      await syncPluginState(a);
      expect(await eventually(() => chain(b).includes('opsFirst:10'))).toBe(true);

      await disablePlugin(a, 'opsFirst', { entity: 'OpsPost' });
      await setPluginPriority(a, 'opsSecond', -500);
      // This instance: at once. The other: after a poll, with no call of ours.
      expect(chain(a)).toEqual(['opsSecond:-500', 'timestamp:-100']);
      expect(await eventually(() => chain(b).join() === 'opsSecond:-500,timestamp:-100')).toBe(true);
      await createPost(b);
      expect(calls).toEqual(['second']);

      // An instance that starts now reads the state before MikroORM.init resolves.
      // Neither polling nor notification (PostgreSQL would notify it): only refreshPluginState().
      c = await secondOrm(a, { state: { pollInterval: false, notify: false } });
      await createPost(c);
      expect(calls).toEqual(['second']);
      expect(chain(c)).toEqual(['opsSecond:-500', 'timestamp:-100']);

      // Without polling, refreshPluginState() picks a change up.
      await enablePlugin(a, 'opsFirst', { entity: 'OpsPost' });
      expect(await refreshPluginState(c)).toBe(true);
      expect(chain(c)).toContain('opsFirst:10');
      expect(await refreshPluginState(c)).toBe(false);
    } finally {
      await c?.close();
      await b.close();
      await a.close();
    }
  });

  test('start-up sync: `state.sync` inserts missing rows when the ORM starts, and `prune` prunes', async () => {
    const connection = connectionFor(db);
    const { orm: a } = await firstOrm(db, connection);
    try {
      const { PluginState } = pluginStateEntities(a);
      await a.em.fork().insert(PluginState, { plugin: 'retired', entity: '*', status: 'active', updatedAt: new Date() });
      const b = await secondOrm(a, { state: { sync: 'create', prune: true, pollInterval: false } });
      try {
        expect(readPluginState(b)).toHaveLength(9);
        expect(readPluginState(b).some(r => r.plugin === 'retired')).toBe(false);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });
});
