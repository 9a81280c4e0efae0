import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, test } from 'vitest';
import { definePluginType, findImplementation, getImplementation, listPlugins, pluginOperations, readPluginState, refreshPluginState, setPluginPriority, setPluginStatus, syncPluginState, type ImplementationInfo } from '../src/operations/index.js';
import { pluginSystem, PluginRegistry } from '../src/index.js';
import { describeEachDatabase, type Database, type TestOrm, sameDatabase } from './support/databases.js';

interface OpsSender {
  send(to: string): string;
  close?(): void;
}

const sender = (name: string): OpsSender => ({ send: to => `${name}:${to}` });

// One type for the database suites; the unit tests define their own.
const Senders = definePluginType<OpsSender>('OpsSender', { methods: ['send'], description: 'test senders' });
Senders.register('sms', sender('sms'), { priority: 10 });
Senders.register('email', sender('email'), { priority: 20 });
Senders.register('pigeon', sender('pigeon'), { priority: 5, status: 'reserve' });
// Declared, never implemented: nothing to list or switch.
const Unimplemented = definePluginType<OpsSender>('OpsUnimplemented', { methods: ['send'] });

describe('plugin types (no database)', () => {
  test('registration checks the interface and fails loudly, naming the missing methods', () => {
    const Type = definePluginType<OpsSender & { flush(): void }>('OpsCheck', { methods: ['send', 'flush'] });
    expect(() => Type.register('half', { send: () => '' } as never)).toThrow(expect.objectContaining({ code: 'MOP_INVALID_IMPLEMENTATION', message: expect.stringContaining('missing method flush') }));
    expect(() => Type.register('none', {} as never)).toThrow(/missing methods send, flush/);
    expect(() => Type.register('bad', 42 as never)).toThrow(/expected an object or a class/);
    class Full {
      send() {
        return 'full';
      }
      flush() {}
    }
    Type.register('full', Full);
    expect(() => Type.register('full', Full)).toThrow(/name is taken/);
    // A class is instantiated once, on first use.
    expect(getImplementation(Type)).toBeInstanceOf(Full);
    expect(getImplementation(Type)).toBe(getImplementation(Type));
    expect(() => definePluginType('OpsCheck', { methods: ['x'] })).toThrow(/already defined/);
    expect(() => definePluginType<object>('OpsEmpty', { methods: [] })).toThrow(/must name its required methods/);
  });

  test('the lowest-priority active implementation, else the lowest-priority reserve one, else an error', () => {
    const Type = definePluginType<OpsSender>('OpsPick', { methods: ['send'] });
    expect(findImplementation(Type)).toBeUndefined();
    expect(() => getImplementation(Type)).toThrow(expect.objectContaining({ code: 'MOP_NO_IMPLEMENTATION' }));
    Type.register('b', sender('b'), { priority: 2, status: 'reserve' });
    Type.register('a', sender('a'), { priority: 1, status: 'reserve' });
    expect(getImplementation(Type).send('x')).toBe('a:x');
    Type.register('c', sender('c'), { priority: 30 });
    Type.register('d', sender('d'), { priority: 3 });
    Type.register('e', sender('e'), { priority: 3 });
    // Reserve ones never win over an active one; ties keep registration order.
    expect(getImplementation(Type).send('x')).toBe('d:x');
    Type.register('off', sender('off'), { priority: -1, status: 'disabled' });
    expect(getImplementation(Type).send('x')).toBe('d:x');
  });

  test('a type can override the selector; the choice is cached until registrations change', () => {
    const seen: string[][] = [];
    const Type = definePluginType<OpsSender>('OpsCustom', {
      methods: ['send'],
      selector: (candidates: readonly ImplementationInfo<OpsSender>[]) => {
        seen.push(candidates.map(c => c.name));
        return [...candidates].filter(c => c.status !== 'disabled').sort((x, y) => y.priority - x.priority)[0];
      },
    });
    Type.register('low', sender('low'), { priority: 1 });
    Type.register('high', sender('high'), { priority: 9 });
    expect(getImplementation(Type).send('x')).toBe('high:x');
    getImplementation(Type);
    expect(seen).toHaveLength(1);
    Type.register('higher', sender('higher'), { priority: 10, status: 'reserve' });
    expect(getImplementation(Type).send('x')).toBe('higher:x');
    expect(seen).toHaveLength(2);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(db: Database, pollInterval: number | false = false): Promise<TestOrm> {
  const connection: Record<string, unknown> = {};
  if (db.name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mop-ops-types-'));
    dirs.push(dir);
    connection.dbName = join(dir, 'types.sqlite');
  }
  const orm = await db.init({ ...connection, entities: [], discovery: { warnWhenNoEntities: false }, extensions: [pluginSystem({ registry: new PluginRegistry() }), pluginOperations({ types: [Senders, Unimplemented], state: { pollInterval } })] });
  await refreshPluginState(orm, { force: true });
  return orm;
}

async function another(first: TestOrm, pollInterval: number): Promise<TestOrm> {
  return (await MikroORM.init({
    ...sameDatabase(first),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    extensions: [pluginSystem({ registry: new PluginRegistry() }), pluginOperations({ types: [Senders, Unimplemented], state: { pollInterval } })],
  })) as TestOrm;
}

const pick = (orm: TestOrm) => getImplementation(Senders, orm).send('ada');

describeEachDatabase('plugin types with stored state', db => {
  test('sync stores each implementation as Type:name with its code status and priority', async () => {
    const orm = await start(db);
    try {
      await syncPluginState(orm);
      const rows = readPluginState(orm).filter(r => r.plugin.startsWith('OpsSender:'));
      expect(rows.map(r => [r.plugin, r.entity, r.status, r.priority])).toEqual([
        ['OpsSender:sms', '*', 'active', 10],
        ['OpsSender:email', '*', 'active', 20],
        ['OpsSender:pigeon', '*', 'reserve', 5],
      ]);
      expect(listPlugins(orm).types.map(t => t.type)).toEqual(['OpsSender']);
      expect(listPlugins(orm).types[0]!.implementations.find(i => i.chosen)!.name).toBe('sms');
    } finally {
      await orm.close();
    }
  });

  test('the choice follows the stored status and priority, and the cache is dropped when the state changes', async () => {
    const orm = await start(db);
    try {
      await syncPluginState(orm);
      expect(pick(orm)).toBe('sms:ada');
      // Without the ORM: code defaults only.
      await setPluginPriority(orm, 'OpsSender:email', 1);
      expect(pick(orm)).toBe('email:ada');
      expect(getImplementation(Senders).send('ada')).toBe('sms:ada');
      await setPluginStatus(orm, 'OpsSender:email', 'disabled');
      await setPluginStatus(orm, 'OpsSender:sms', 'reserve');
      // No active one left: the lowest-priority reserve one.
      expect(pick(orm)).toBe('pigeon:ada');
      await setPluginStatus(orm, 'OpsSender:pigeon', 'disabled');
      expect(pick(orm)).toBe('sms:ada');
      await setPluginStatus(orm, 'OpsSender:sms', 'disabled');
      expect(() => pick(orm)).toThrow(expect.objectContaining({ code: 'MOP_NO_IMPLEMENTATION' }));
      await setPluginStatus(orm, 'OpsSender:email', 'active');
      expect(pick(orm)).toBe('email:ada');
      await expect(setPluginStatus(orm, 'OpsSender:email', 'active', { entity: 'Anything' })).rejects.toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
    } finally {
      await orm.close();
    }
  });

  test('another instance switches implementation within its poll interval', async () => {
    const a = await start(db);
    const b = await another(a, 20);
    try {
      await syncPluginState(a);
      await setPluginStatus(a, 'OpsSender:sms', 'disabled');
      let switched = false;
      for (let i = 0; i < 200 && !switched; i++) {
        switched = pick(b) === 'email:ada';
        if (!switched) await new Promise(resolve => setTimeout(resolve, 25));
      }
      expect(switched).toBe(true);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
