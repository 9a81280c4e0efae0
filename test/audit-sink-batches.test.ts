import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog, type AuditLogOptions, type AuditRecord, type AuditSink } from '../src/audit.js';
import { pluginSystem, PluginRegistry, SoftDeletePlugin, type PluginError, type PluginSystemOptions } from '../src/index.js';
import { auditRows, recordingSink, TripwirePlugin } from './support/audit-support.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

@Entity()
class CrateLabel {
  static plugins = ['audit', 'softDelete', 'tripwire'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin, audit: AuditPlugin, tripwire: TripwirePlugin });

function start(db: Database, audit: AuditLogOptions, system: PluginSystemOptions = {}): Promise<TestOrm> {
  return db.init({ entities: [CrateLabel], extensions: [pluginSystem({ registry, ...system }), auditLog(audit)] });
}

/** A sink with `writeMany`: each call's records, copied; `write` notes bulk records only. */
function batchingSink(name = 'batches'): AuditSink & { calls: AuditRecord[][]; singles: string[] } {
  const calls: AuditRecord[][] = [];
  const singles: string[] = [];
  return {
    name,
    calls,
    singles,
    write: record => void singles.push(record.operation),
    writeMany: records => void calls.push(records.map(r => structuredClone(r) as AuditRecord)),
  };
}

describeEachDatabase('audit: sinks with and without writeMany', db => {
  let orm: TestOrm | undefined;
  afterEach(() => orm?.close());

  test('a sink with only write gets every record of a flush, one call each; one with writeMany gets the flush in one call, the same records', async () => {
    const single = recordingSink('single');
    const many = batchingSink();
    orm = await start(db, { sinks: [single, many] });
    const em = orm.em.fork();
    const labels = ['a', 'b', 'c'].map(title => em.create(CrateLabel, { title }));
    await em.flush();
    labels[0]!.title = 'a2';
    em.remove(labels[1]!);
    await em.flush();

    const rows = await auditRows(orm);
    expect(single.records.map(r => [r.id, r.operation, r.entityId])).toEqual(rows.map(r => [r.id, r.operation, r.entityId]));
    // Records follow the writes: the soft-deleted row is written by the plugin system in onFlush, before MikroORM's UPDATE.
    expect(many.calls.map(call => call.map(r => r.operation))).toEqual([['create', 'create', 'create'], ['softDelete', 'update']]);
    expect(many.calls.flat()).toEqual(single.records);
    expect(many.singles).toEqual([]);
    expect(new Set(many.calls[1]!.map(r => r.flushId)).size).toBe(1);
  });

  test('writeMany never gets the records of a rolled-back flush, and bulk records still go to write', async () => {
    const many = batchingSink();
    orm = await start(db, { sinks: [many] });
    const failing = orm.em.fork();
    failing.create(CrateLabel, { title: 'fine' });
    failing.create(CrateLabel, { title: 'boom' });
    await expect(failing.flush()).rejects.toThrow('tripwire');
    expect(many.calls).toEqual([]);

    await orm.em.fork().insert(CrateLabel, { title: 'native' });
    expect(many.singles).toEqual(['bulkInsert']);
    const em = orm.em.fork();
    em.create(CrateLabel, { title: 'kept' });
    await em.flush();
    expect(many.calls.map(call => call.map(r => r.changes.title))).toEqual([[[null, 'kept']]]);
  });

  test('a failing writeMany is reported once to onError; the write stands and the other sinks still get every record', async () => {
    const errors: PluginError[] = [];
    const after = recordingSink('after');
    const broken: AuditSink = { name: 'broken', write: () => undefined, writeMany: () => Promise.reject(new Error('queue down')) };
    orm = await start(db, { sinks: [broken, after] }, { onError: e => errors.push(e) });
    const em = orm.em.fork();
    em.create(CrateLabel, { title: 'one' });
    em.create(CrateLabel, { title: 'two' });
    await expect(em.flush()).resolves.toBeUndefined();
    expect(await orm.em.fork().count(CrateLabel)).toBe(2);
    expect(after.records.map(r => r.changes.title)).toEqual([[null, 'one'], [null, 'two']]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'AuditSinkError', code: 'MOP_AUDIT_SINK_FAILED', entity: 'CrateLabel' });
    expect((errors[0]!.cause as Error).message).toBe('queue down');
  });
});
