import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { AuditPlugin, AuditSinkType, auditLog, type AuditLogOptions, type AuditSink } from '../src/audit.js';
import { getImplementation, listPlugins, pluginOperations, readPluginState, refreshPluginState, setPluginPriority, setPluginStatus, syncPluginState, type PluginStatus } from '../src/operations/index.js';
import { pluginSystem, PluginRegistrationError, PluginRegistry, type PluginError } from '../src/index.js';
import { auditRows } from './support/audit-support.js';
import { describeEachDatabase, sqlite, type Database, type TestOrm, sameDatabase } from './support/databases.js';

@Entity()
class SinkedInvoice {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

/** What each sink received, as `operation entityId`. */
const received: Record<string, string[]> = {};
const sinkNamed = (name: string): AuditSink => {
  received[name] = [];
  return { write: record => void received[name]!.push(`${record.operation} ${record.entityId}`) };
};

// Registered once for the file, as an app registers at import time; each test's ORM has its own plugin_state.
AuditSinkType.register('primary', sinkNamed('primary'), { priority: 10, description: 'the usual destination' });
AuditSinkType.register('secondary', sinkNamed('secondary'), { priority: 20 });
AuditSinkType.register('standby', sinkNamed('standby'), { priority: 0, status: 'reserve' });
// Off in code; a test switches it on through the stored state.
class FlakySink implements AuditSink {
  write(): void {
    throw new Error('queue unreachable');
  }
}
AuditSinkType.register('flaky', FlakySink, { priority: -5, status: 'disabled' });
const fixed = sinkNamed('fixed');
const REGISTERED = ['primary', 'secondary', 'standby'] as const;

beforeEach(() => {
  for (const list of Object.values(received)) list.length = 0;
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const registry = () => new PluginRegistry().register(AuditPlugin);

async function start(db: Database, audit: AuditLogOptions = { sinks: [fixed] }, onError?: (error: PluginError) => void): Promise<TestOrm> {
  const connection: Record<string, unknown> = {};
  if (db.name === 'sqlite') {
    // A file, so a second instance can share it.
    const dir = mkdtempSync(join(tmpdir(), 'mop-audit-sinks-'));
    dirs.push(dir);
    connection.dbName = join(dir, 'sinks.sqlite');
  }
  const orm = await db.init({
    ...connection,
    entities: [SinkedInvoice],
    extensions: [pluginSystem({ registry: registry(), onError }), auditLog(audit), pluginOperations({ types: [AuditSinkType], state: { pollInterval: false } })],
  });
  await refreshPluginState(orm, { force: true });
  await syncPluginState(orm);
  return orm;
}

/** A second instance on the same database, polling nothing: it sees changes when told to refresh. */
async function another(first: TestOrm): Promise<TestOrm> {
  return (await MikroORM.init({
    ...sameDatabase(first),
    entities: [SinkedInvoice],
    extensions: [pluginSystem({ registry: registry() }), auditLog(), pluginOperations({ types: [AuditSinkType], state: { pollInterval: false } })],
  })) as TestOrm;
}

async function create(orm: TestOrm, label: string): Promise<SinkedInvoice> {
  const em = orm.em.fork();
  const invoice = em.create(SinkedInvoice, { label });
  await em.flush();
  return invoice;
}

describe('AuditSink plugin type (no database)', () => {
  test('a sink missing write() fails registration with a typed error naming type, implementation and method', () => {
    const attempt = () => AuditSinkType.register('mute', { name: 'mute' } as never);
    expect(attempt).toThrow(PluginRegistrationError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'MOP_INVALID_IMPLEMENTATION', plugin: 'AuditSink:mute', message: expect.stringContaining("Plugin type 'AuditSink', implementation 'mute': does not fulfil the interface: missing method write") }));
    class NotASink {
      send(): void {}
    }
    expect(() => AuditSinkType.register('notASink', NotASink as never)).toThrow(expect.objectContaining({ code: 'MOP_INVALID_IMPLEMENTATION' }));
    // Nothing was registered by the failed attempts.
    expect(AuditSinkType.implementations().map(i => i.name)).toEqual(['primary', 'secondary', 'standby', 'flaky']);
  });

  test('without stored state the code decides: the lowest-priority active implementation', () => {
    expect(getImplementation(AuditSinkType)).toBe(AuditSinkType.implementations()[0]!.implementation);
    expect(AuditSinkType.chosen()?.key).toBe('AuditSink:primary');
  });
});

describeEachDatabase('audit sinks as a plugin type', db => {
  test('each committed record goes to the given sinks and to the chosen implementation; switching the stored state moves the next ones', async () => {
    const orm = await start(db);
    try {
      expect(readPluginState(orm).filter(r => r.plugin.startsWith('AuditSink:')).map(r => [r.plugin, r.status, r.priority])).toEqual([
        ['AuditSink:primary', 'active', 10],
        ['AuditSink:secondary', 'active', 20],
        ['AuditSink:standby', 'reserve', 0],
        ['AuditSink:flaky', 'disabled', -5],
      ]);
      const invoice = await create(orm, 'first');
      const id = String(invoice.id);
      expect(received.primary).toEqual([`create ${id}`]);

      // An operator prefers the secondary sink: a lower stored priority.
      await setPluginPriority(orm, 'AuditSink:secondary', 1);
      const em = orm.em.fork();
      (await em.findOneOrFail(SinkedInvoice, invoice.id)).label = 'second';
      await em.flush();
      expect(received.secondary).toEqual([`update ${id}`]);

      // Both active ones disabled: the reserve one takes over, for bulk records too.
      await setPluginStatus(orm, 'AuditSink:secondary', 'disabled');
      await setPluginStatus(orm, 'AuditSink:primary', 'disabled');
      expect(await orm.em.fork().nativeUpdate(SinkedInvoice, { id: invoice.id }, { label: 'third' })).toBe(1);
      expect(received.standby).toEqual(['bulkUpdate *']);

      // None left: only the given sink gets the record; the table has it regardless.
      await setPluginStatus(orm, 'AuditSink:standby', 'disabled');
      const last = orm.em.fork();
      last.remove(await last.findOneOrFail(SinkedInvoice, invoice.id));
      await last.flush();

      expect(received.primary).toEqual([`create ${id}`]);
      expect(received.secondary).toEqual([`update ${id}`]);
      expect(received.standby).toEqual(['bulkUpdate *']);
      expect(received.fixed).toEqual([`create ${id}`, `update ${id}`, 'bulkUpdate *', `delete ${id}`]);
      expect((await auditRows(orm)).map(r => r.operation)).toEqual(['create', 'update', 'bulkUpdate', 'delete']);
      expect(listPlugins(orm).types.find(t => t.type === 'AuditSink')!.implementations.some(i => i.chosen)).toBe(false);
    } finally {
      await orm.close();
    }
  });

  test('a rolled-back change reaches no sink', async () => {
    const orm = await start(db);
    try {
      await expect(
        orm.em.fork().transactional(async em => {
          em.create(SinkedInvoice, { label: 'undone' });
          await em.flush();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(received.primary).toEqual([]);
      expect(received.fixed).toEqual([]);
    } finally {
      await orm.close();
    }
  });

  test('another instance sends its records where the state a first instance stored says, once it has read it', async () => {
    const a = await start(db);
    const b = await another(a);
    try {
      await refreshPluginState(b);
      const first = await create(b, 'from b');
      expect(received.primary).toEqual([`create ${first.id}`]);

      await setPluginStatus(a, 'AuditSink:primary', 'disabled');
      await refreshPluginState(b);
      const second = await create(b, 'from b again');
      expect(received.secondary).toEqual([`create ${second.id}`]);

      await setPluginStatus(a, 'AuditSink:secondary', 'reserve');
      await setPluginPriority(a, 'AuditSink:secondary', -1);
      await refreshPluginState(b);
      // Two reserve ones: the lower priority wins.
      const third = await create(b, 'third');
      expect(received.secondary).toEqual([`create ${second.id}`, `create ${third.id}`]);
      expect(received.standby).toEqual([]);
      expect(received.primary).toEqual([`create ${first.id}`]);
      // b has no given sinks: `fixed` saw only a's (none).
      expect(received.fixed).toEqual([]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  test('a failing registered sink is reported under its key and never fails the write', async () => {
    const errors: PluginError[] = [];
    const orm = await start(db, { sinks: [fixed] }, error => errors.push(error));
    try {
      await setPluginStatus(orm, 'AuditSink:flaky', 'active');
      const invoice = await create(orm, 'kept');
      expect(await orm.em.fork().count(SinkedInvoice, { id: invoice.id })).toBe(1);
      expect(received.fixed).toEqual([`create ${invoice.id}`]);
      expect(received.primary).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ name: 'AuditSinkError', code: 'MOP_AUDIT_SINK_FAILED', entity: 'SinkedInvoice' });
      expect((errors[0] as unknown as { failures: { sink: string }[] }).failures.map(f => f.sink)).toEqual(['AuditSink:flaky']);
    } finally {
      await orm.close();
    }
  });

  test('sinkType: false uses only the given sinks', async () => {
    const orm = await start(db, { sinks: [fixed], sinkType: false });
    try {
      const invoice = await create(orm, 'only fixed');
      expect(received.fixed).toEqual([`create ${invoice.id}`]);
      for (const name of REGISTERED) expect(received[name]).toEqual([]);
    } finally {
      await orm.close();
    }
  });
});

// The stored status and priority of each implementation, drawn at random: the record goes where the rule says.
describe('audit sinks follow the selection rule (property, sqlite)', () => {
  const status = fc.constantFrom<PluginStatus>('active', 'reserve', 'disabled');
  const stored = fc.tuple(...REGISTERED.map(() => fc.record({ status, priority: fc.integer({ min: -3, max: 3 }) })));

  /** The rule, written out: the lowest-priority active one, else the lowest-priority reserve one; ties by registration order. */
  const expected = (states: { status: PluginStatus; priority: number }[]) => {
    for (const wanted of ['active', 'reserve'] as const) {
      const candidates = states.map((s, i) => ({ ...s, name: REGISTERED[i]! })).filter(s => s.status === wanted);
      if (candidates.length > 0) return candidates.reduce((best, c) => (c.priority < best.priority ? c : best)).name;
    }
    return undefined;
  };

  test('the chosen implementation, and only it, gets the record', async () => {
    const orm = await start(sqlite);
    try {
      await fc.assert(
        fc.asyncProperty(stored, async states => {
          for (const [i, state] of states.entries()) {
            await setPluginStatus(orm, `AuditSink:${REGISTERED[i]}`, state.status);
            await setPluginPriority(orm, `AuditSink:${REGISTERED[i]}`, state.priority);
          }
          for (const list of Object.values(received)) list.length = 0;
          const invoice = await create(orm, 'drawn');
          const want = expected(states);
          for (const name of REGISTERED) expect(received[name], name).toEqual(name === want ? [`create ${invoice.id}`] : []);
        }),
        { numRuns: 25 },
      );
    } finally {
      await orm.close();
    }
  });
});
