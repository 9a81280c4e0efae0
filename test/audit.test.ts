import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MonotonicClock } from '../src/plugins/audit/clock.js';
import { AuditPlugin, auditLog, history, stateAt, type AuditLogOptions } from '../src/audit.js';
import { bindContext, currentContext, hardDelete, pluginSystem, PluginRegistry, restore, runWithContext, SoftDeletePlugin, TimestampPlugin, withDeleted, withoutPlugins, type PluginError, type PluginSystemOptions } from '../src/index.js';
import { auditRows, recordingSink, TripwirePlugin } from './support/audit-support.js';
import { describeEachDatabase, sqlite, type Database, type TestOrm } from './support/databases.js';

@Entity()
class LedgerWriter {
  static plugins = [{ audit: { exclude: ['createdAt', 'updatedAt', 'nickname'], redact: ['password'] } }, 'timestamp'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) nickname?: string | null;
  @Property({ type: 'string', nullable: true }) password?: string | null;
  declare updatedAt?: Date;
}

@Entity()
class LedgerNote {
  static plugins = ['audit', 'softDelete', 'tripwire'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) stars: Opt<number> = 0;
  @Property({ type: 'json', nullable: true }) tags?: string[] | null;
  @Property({ type: 'Date', nullable: true, length: 3 }) dueAt?: Date | null;
  @ManyToOne({ entity: () => LedgerWriter, nullable: true }) writer?: LedgerWriter | null;
  declare deletedAt?: Date | null;
}

@Entity()
class LedgerSetting {
  static plugins = [{ audit: { include: ['value'], ignoreNoopUpdates: false } }];
  @PrimaryKey({ type: 'string' }) key!: string;
  @Property({ type: 'string' }) value!: string;
  @Property({ type: 'string', nullable: true }) comment?: string | null;
}

@Entity()
class LedgerScratch {
  static plugins = ['timestamp'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

@Entity()
class LedgerMembership {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'string' }) team!: string;
  @PrimaryKey({ type: 'integer' }) member!: number;
  @Property({ type: 'string' }) role!: string;
}

const entities = [LedgerWriter, LedgerNote, LedgerSetting, LedgerScratch, LedgerMembership];
const registry = new PluginRegistry().registerMany({
  timestamp: TimestampPlugin,
  softDelete: SoftDeletePlugin,
  audit: AuditPlugin,
  tripwire: TripwirePlugin,
});

function start(db: Database, audit: AuditLogOptions = {}, system: PluginSystemOptions = {}): Promise<TestOrm> {
  return db.init({ entities, extensions: [pluginSystem({ registry, ...system }), auditLog(audit)] });
}

const opsOf = (rows: { operation: string }[]) => rows.map(r => r.operation);

describeEachDatabase('audit: what is recorded', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await start(db);
  });
  afterEach(() => orm.close());

  test('create, update, soft delete, restore and delete each write one row, with the generated id', async () => {
    const em = orm.em.fork();
    const note = em.create(LedgerNote, { title: 'first', stars: 1 });
    await em.flush();
    expect(note.id).toBeGreaterThan(0);
    note.stars = 2;
    await em.flush();
    em.remove(note);
    await em.flush();
    restore(em, note);
    await em.flush();
    await hardDelete(em, note);

    const rows = await auditRows(orm);
    expect(opsOf(rows)).toEqual(['create', 'update', 'softDelete', 'restore', 'delete']);
    expect(rows.every(r => r.entityName === 'LedgerNote' && r.entityId === String(note.id))).toBe(true);
    const [created, updated, softDeleted, restored, deleted] = rows;
    expect(created!.changes).toMatchObject({ id: [null, note.id], title: [null, 'first'], stars: [null, 1], deletedAt: [null, null] });
    expect(updated!.changes).toEqual({ stars: [1, 2] });
    expect(softDeleted!.changes.deletedAt![0]).toBeNull();
    expect(new Date(softDeleted!.changes.deletedAt![1] as string).getTime()).not.toBeNaN();
    expect(restored!.changes.deletedAt![1]).toBeNull();
    expect(deleted!.changes).toMatchObject({ id: [note.id, null], title: ['first', null], stars: [2, null] });
    expect(rows.every(r => r.recordedAt instanceof Date && !Number.isNaN(r.recordedAt.getTime()))).toBe(true);
  });

  test('every row of one flush shares a flush id; another flush gets another', async () => {
    const em = orm.em.fork();
    const writer = em.create(LedgerWriter, { name: 'Ada' });
    em.create(LedgerNote, { title: 'a', writer });
    em.create(LedgerNote, { title: 'b', writer });
    await em.flush();
    writer.name = 'Ada L.';
    await em.flush();
    const rows = await auditRows(orm);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.slice(0, 3).map(r => r.flushId)).size).toBe(1);
    expect(rows[3]!.flushId).not.toBe(rows[0]!.flushId);
    expect(rows[0]!.flushId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('relations are recorded as primary keys; JSON and dates round-trip', async () => {
    const em = orm.em.fork();
    const writer = em.create(LedgerWriter, { name: 'Grace' });
    const due = new Date('2030-05-06T07:08:09.123Z');
    const note = em.create(LedgerNote, { title: 'rel', writer, tags: ['x', 'y'], dueAt: due });
    await em.flush();
    note.tags = ['x', 'y', 'z'];
    note.dueAt = new Date('2031-01-01T00:00:00.456Z');
    await em.flush();
    const [, created, updated] = await auditRows(orm);
    expect(created!.changes).toMatchObject({ writer: [null, writer.id], tags: [null, ['x', 'y']], dueAt: [null, due.toISOString()] });
    expect(updated!.changes).toEqual({ tags: [['x', 'y'], ['x', 'y', 'z']], dueAt: [due.toISOString(), '2031-01-01T00:00:00.456Z'] });
    const [newest] = await history(orm.em.fork(), LedgerNote, note.id);
    expect(newest!.changes).toEqual(updated!.changes);
    const state = await stateAt(orm.em.fork(), LedgerNote, note.id, new Date());
    expect(state).toMatchObject({ id: note.id, title: 'rel', tags: ['x', 'y', 'z'], writer: writer.id });
    expect(state!.dueAt).toEqual(new Date('2031-01-01T00:00:00.456Z'));
  });

  test('exclude leaves fields out; redact hides values in old and new; an update of excluded fields only writes no row', async () => {
    const em = orm.em.fork();
    const writer = em.create(LedgerWriter, { name: 'Linus', password: 'hunter2' });
    await em.flush();
    writer.password = 'correct horse';
    await em.flush();
    writer.nickname = 'lt';
    await em.flush();
    em.remove(writer);
    await em.flush();
    const rows = await auditRows(orm);
    expect(opsOf(rows)).toEqual(['create', 'update', 'delete']);
    expect(rows[0]!.changes).toEqual({ id: [null, writer.id], name: [null, 'Linus'], password: [null, '[redacted]'] });
    expect(rows[1]!.changes).toEqual({ password: ['[redacted]', '[redacted]'] });
    expect(rows[2]!.changes).toEqual({ id: [writer.id, null], name: ['Linus', null], password: ['[redacted]', null] });
  });

  test('include records only the named fields; with ignoreNoopUpdates off, an update of other fields still writes a row', async () => {
    const em = orm.em.fork();
    const setting = em.create(LedgerSetting, { key: 'theme', value: 'dark', comment: 'first' });
    await em.flush();
    setting.comment = 'second';
    await em.flush();
    setting.value = 'light';
    await em.flush();
    const rows = await auditRows(orm);
    expect(rows.map(r => [r.operation, r.entityId, r.changes])).toEqual([
      ['create', 'theme', { value: [null, 'dark'] }],
      ['update', 'theme', {}],
      ['update', 'theme', { value: ['dark', 'light'] }],
    ]);
  });

  test('a composite primary key is recorded as a JSON array; history takes it as an array or an object', async () => {
    const em = orm.em.fork();
    const membership = em.create(LedgerMembership, { team: 'core', member: 7, role: 'dev' });
    await em.flush();
    membership.role = 'lead';
    await em.flush();
    expect((await auditRows(orm)).map(r => [r.entityId, r.operation])).toEqual([
      ['["core","7"]', 'create'],
      ['["core","7"]', 'update'],
    ]);
    const fork = orm.em.fork();
    expect(opsOf(await history(fork, LedgerMembership, ['core', 7]))).toEqual(['update', 'create']);
    expect(opsOf(await history(fork, LedgerMembership, { team: 'core', member: 7 }))).toEqual(['update', 'create']);
    expect(opsOf(await history(fork, membership))).toEqual(['update', 'create']);
    expect(await stateAt(fork, LedgerMembership, ['core', 7], new Date())).toEqual({ team: 'core', member: 7, role: 'lead' });
  });

  test('history of something that is not an entity fails with MOP_UNKNOWN_ENTITY', async () => {
    await expect(history(orm.em.fork(), 'NoSuchThing', 1)).rejects.toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
  });

  test('entities without the plugin, and writes inside withoutPlugins([audit]), are not audited', async () => {
    const em = orm.em.fork();
    em.create(LedgerScratch, { title: 'ignored' });
    await em.flush();
    await withoutPlugins(['audit'], async () => {
      const fork = orm.em.fork();
      fork.create(LedgerNote, { title: 'quiet' });
      await fork.flush();
    });
    expect(await auditRows(orm)).toEqual([]);
  });
});

describeEachDatabase('audit: same transaction', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await start(db);
  });
  afterEach(() => orm.close());

  test('a flush that rolls back after its audit rows were written leaves none; the next flush has its own', async () => {
    const em = orm.em.fork();
    em.create(LedgerNote, { title: 'fine' });
    em.create(LedgerNote, { title: 'boom' });
    await expect(em.flush()).rejects.toThrow('tripwire');
    expect(await auditRows(orm)).toEqual([]);
    expect(await orm.em.fork().count(LedgerNote, {}, withDeleted())).toBe(0);

    const next = orm.em.fork();
    const kept = next.create(LedgerNote, { title: 'kept' });
    await next.flush();
    const rows = await auditRows(orm);
    expect(rows.map(r => [r.operation, r.entityId])).toEqual([['create', String(kept.id)]]);
  });

  test('an update rolled back by a later failure in the same flush leaves no row', async () => {
    const em = orm.em.fork();
    const note = em.create(LedgerNote, { title: 'n' });
    await em.flush();
    note.stars = 5;
    em.create(LedgerNote, { title: 'boom' });
    await expect(em.flush()).rejects.toThrow('tripwire');
    expect(opsOf(await auditRows(orm))).toEqual(['create']);
  });

  test('em.transactional: rows of every flush inside roll back with it', async () => {
    await expect(
      orm.em.fork().transactional(async em => {
        em.create(LedgerNote, { title: 'one' });
        await em.flush();
        em.create(LedgerNote, { title: 'two' });
        await em.flush();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await auditRows(orm)).toEqual([]);
  });

  test('a rolled-back savepoint drops only its own rows', async () => {
    await orm.em.fork().transactional(async em => {
      em.create(LedgerNote, { title: 'outer' });
      await em.flush();
      await expect(
        em.transactional(async inner => {
          inner.create(LedgerNote, { title: 'inner' });
          await inner.flush();
          throw new Error('nested abort');
        }),
      ).rejects.toThrow('nested abort');
    });
    const rows = await auditRows(orm);
    expect(rows.map(r => r.changes.title?.[1])).toEqual(['outer']);
  });
});

describeEachDatabase('audit: actor context', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await start(db);
  });
  afterEach(() => orm.close());

  const create = async (title: string, em = orm.em.fork()) => {
    em.create(LedgerNote, { title });
    await em.flush();
  };
  const whoWrote = async () => (await auditRows(orm)).map(r => [r.changes.title?.[1], r.actor, r.requestId]);

  test('runWithContext sets actor and request id; outside it both are null; nested contexts merge', async () => {
    await create('anonymous');
    await runWithContext({ actor: 'u1', requestId: 'r1' }, () => create('by u1'));
    await runWithContext({ requestId: 'r2' }, () => runWithContext({ actor: 'u2' }, () => create('by u2')));
    expect(await whoWrote()).toEqual([
      ['anonymous', null, null],
      ['by u1', 'u1', 'r1'],
      ['by u2', 'u2', 'r2'],
    ]);
  });

  test('a fork made outside the context and flushed inside it records the context', async () => {
    const fork = orm.em.fork();
    fork.create(LedgerNote, { title: 'late' });
    await runWithContext({ actor: 'u3' }, () => fork.flush());
    expect(await whoWrote()).toEqual([['late', 'u3', null]]);
  });

  test('a context bound to a fork: its flushes, its later forks and its transactions record it, and it wins over the scoped one', async () => {
    const bound = bindContext(orm.em.fork(), { actor: 'cron', requestId: 'nightly' });
    await create('bound', bound);
    await create('child fork', bound.fork());
    await bound.transactional(async em => {
      em.create(LedgerNote, { title: 'in transaction' });
    });
    await runWithContext({ actor: 'u4', requestId: 'r4' }, () => create('both', bindContext(orm.em.fork(), { actor: 'job' })));
    await create('unbound');
    expect(await whoWrote()).toEqual([
      ['bound', 'cron', 'nightly'],
      ['child fork', 'cron', 'nightly'],
      ['in transaction', 'cron', 'nightly'],
      ['both', 'job', 'r4'],
      ['unbound', null, null],
    ]);
  });

  test('currentContext is empty outside any context', () => {
    expect(currentContext()).toEqual({});
    expect(currentContext(orm.em.fork())).toEqual({});
  });
});

describeEachDatabase('audit: history and stateAt', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await start(db);
  });
  afterEach(() => orm.close());

  async function story() {
    const em = orm.em.fork();
    const note = await runWithContext({ actor: 'alice' }, async () => {
      const n = em.create(LedgerNote, { title: 'v1' });
      await em.flush();
      n.title = 'v2';
      await em.flush();
      return n;
    });
    await runWithContext({ actor: 'bob' }, async () => {
      note.title = 'v3';
      await em.flush();
      em.remove(note);
      await em.flush();
    });
    const other = em.create(LedgerNote, { title: 'other' });
    await em.flush();
    return { note, other };
  }

  test('newest first, by time then id; the instance form equals the class form', async () => {
    const { note } = await story();
    const records = await history(orm.em.fork(), LedgerNote, note.id);
    expect(opsOf(records)).toEqual(['softDelete', 'update', 'update', 'create']);
    expect(records.map(r => r.id)).toEqual([...records.map(r => r.id)].sort((a, b) => b! - a!));
    expect(records.every(r => r.entity === 'LedgerNote' && r.entityId === String(note.id))).toBe(true);
    expect(await history(orm.em.fork(), note)).toEqual(records);
    expect(await history(orm.em.fork(), 'LedgerNote', String(note.id))).toEqual(records);
  });

  test('filters: actor, time range (inclusive), operations, limit', async () => {
    const { note } = await story();
    const em = orm.em.fork();
    expect(opsOf(await history(em, LedgerNote, note.id, { actor: 'bob' }))).toEqual(['softDelete', 'update']);
    const all = await history(em, LedgerNote, note.id);
    const second = all[2]!;
    const fromSecond = await history(em, LedgerNote, note.id, { from: second.recordedAt });
    expect(fromSecond.map(r => r.id)).toEqual(all.filter(r => r.recordedAt >= second.recordedAt).map(r => r.id));
    expect(fromSecond.map(r => r.id)).toContain(second.id);
    const untilSecond = await history(em, LedgerNote, note.id, { to: second.recordedAt });
    expect(untilSecond.map(r => r.id)).toEqual(all.filter(r => r.recordedAt <= second.recordedAt).map(r => r.id));
    expect(untilSecond.map(r => r.id)).toContain(second.id);
    expect(opsOf(await history(em, LedgerNote, note.id, { operations: ['create', 'softDelete'] }))).toEqual(['softDelete', 'create']);
    expect(await history(em, LedgerNote, note.id, { limit: 1 })).toEqual(all.slice(0, 1));
  });

  test('inside a transaction, history and stateAt see the changes written so far', async () => {
    await orm.em.fork().transactional(async em => {
      const note = em.create(LedgerNote, { title: 'draft' });
      await em.flush();
      expect(opsOf(await history(em, note))).toEqual(['create']);
      expect(await stateAt(em, LedgerNote, note.id, new Date())).toMatchObject({ title: 'draft' });
    });
  });

  test('stateAt rebuilds the fields at each recorded time, inclusive; null before the create and after a delete', async () => {
    const { note, other } = await story();
    const em = orm.em.fork();
    const records = (await history(em, LedgerNote, note.id)).reverse();
    const titles: unknown[] = [];
    for (const record of records) titles.push((await stateAt(em, LedgerNote, note.id, record.recordedAt))?.title);
    // Rows of one millisecond count together: the state at a time includes every change recorded then.
    const expected = records.map(r => {
      const last = records.filter(x => x.recordedAt <= r.recordedAt).at(-1)!;
      return ['v1', 'v2', 'v3', 'v3'][records.indexOf(last)];
    });
    expect(titles).toEqual(expected);
    const created = records[0]!.recordedAt;
    expect(await stateAt(em, LedgerNote, note.id, new Date(created.getTime() - 1))).toBeNull();
    const final = await stateAt(em, LedgerNote, note.id, new Date());
    expect(final).toMatchObject({ id: note.id, title: 'v3' });
    expect(final!.deletedAt).toBeInstanceOf(Date);

    await hardDelete(orm.em.fork(), await orm.em.fork().findOneOrFail(LedgerNote, other.id));
    expect(await stateAt(em, LedgerNote, other.id, new Date())).toBeNull();
  });
});

describeEachDatabase('audit: sinks', db => {
  let orm: TestOrm | undefined;
  afterEach(() => orm?.close());

  test('sinks get each committed record after the commit, never a rolled-back one, with the table id', async () => {
    const sink = recordingSink();
    orm = await start(db, { sinks: [sink] });
    let seenInsideTransaction = -1;
    await runWithContext({ actor: 'u9' }, () =>
      orm!.em.fork().transactional(async em => {
        em.create(LedgerNote, { title: 'in tx' });
        await em.flush();
        seenInsideTransaction = sink.records.length;
      }),
    );
    const failing = orm.em.fork();
    failing.create(LedgerNote, { title: 'boom' });
    await expect(failing.flush()).rejects.toThrow('tripwire');
    expect(seenInsideTransaction).toBe(0);
    const rows = await auditRows(orm);
    expect(sink.records.map(r => [r.id, r.operation, r.entity, r.actor, r.flushId])).toEqual(
      rows.map(r => [r.id, r.operation, r.entityName, r.actor, r.flushId]),
    );
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]!.changes.title).toEqual([null, 'in tx']);
    // The table gives back the same record, to the millisecond.
    const [stored] = await history(orm.em.fork(), LedgerNote, sink.records[0]!.entityId);
    expect(stored).toEqual(sink.records[0]);
  });

  test('a failing sink never fails the write: it is reported to onError, and later sinks still run', async () => {
    const errors: PluginError[] = [];
    const after = recordingSink('after');
    const broken = { name: 'broken', write: () => Promise.reject(new Error('queue down')) };
    orm = await start(db, { sinks: [broken, after] }, { onError: e => errors.push(e) });
    const em = orm.em.fork();
    const note = em.create(LedgerNote, { title: 'stands' });
    await expect(em.flush()).resolves.toBeUndefined();
    expect(await orm.em.fork().findOne(LedgerNote, note.id)).not.toBeNull();
    expect(await auditRows(orm)).toHaveLength(1);
    expect(after.records).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'AuditSinkError', code: 'MOP_AUDIT_SINK_FAILED', plugin: 'audit', entity: 'LedgerNote' });
    expect((errors[0] as unknown as { failures: { sink: string }[] }).failures.map(f => f.sink)).toEqual(['broken']);
    expect((errors[0]!.cause as Error).message).toBe('queue down');
  });

  test('table: false replaces the table with the sinks: no audit table, history says so', async () => {
    const sink = recordingSink();
    orm = await start(db, { table: false, sinks: [sink] });
    expect(orm.getMetadata().getByClassName('AuditLog', false)).toBeUndefined();
    const em = orm.em.fork();
    const note = em.create(LedgerNote, { title: 'sink only' });
    await em.flush();
    expect(sink.records.map(r => [r.operation, r.entityId, r.id])).toEqual([['create', String(note.id), undefined]]);
    await expect(history(orm.em.fork(), note)).rejects.toMatchObject({ code: 'MOP_AUDIT_NOT_INSTALLED' });
  });
});

describeEachDatabase('audit: table', db => {
  let orm: TestOrm | undefined;
  afterEach(() => orm?.close());

  test('the table name is configurable and the schema generator creates that table', async () => {
    orm = await start(db, { table: 'change_journal' });
    expect(await orm.schema.getCreateSchemaSQL()).toMatch(/create table [`"]?change_journal/);
    const em = orm.em.fork();
    em.create(LedgerNote, { title: 'journaled' });
    await em.flush();
    expect(opsOf(await auditRows(orm, 'change_journal'))).toEqual(['create']);
    expect(await history(orm.em.fork(), LedgerNote, 1)).toHaveLength(1);
  });

  test('global plugins do not attach to the audit table', async () => {
    orm = await start(db, {}, { global: ['timestamp'] });
    const columns = Object.keys(orm.getMetadata().getByClassName('AuditLog', false)!.properties);
    expect(columns).not.toContain('createdAt');
    const em = orm.em.fork();
    em.create(LedgerNote, { title: 'global' });
    await em.flush();
    expect(await auditRows(orm)).toHaveLength(1);
  });
});

describe('audit: start-up errors', () => {
  test('the plugin without auditLog() fails start-up with MOP_AUDIT_NOT_INSTALLED', async () => {
    await expect(sqlite.init({ entities, extensions: [pluginSystem({ registry })] })).rejects.toMatchObject({
      code: 'MOP_AUDIT_NOT_INSTALLED',
      entity: 'LedgerWriter',
    });
  });

  test('a misspelt property in redact fails start-up, naming entity, option and property', async () => {
    const error = await sqlite
      .init({ entities, extensions: [pluginSystem({ registry, entities: { LedgerWriter: [{ audit: { redact: ['pasword'] } }] } }), auditLog()] })
      .then(orm => orm.close().then(() => undefined), (e: unknown) => e);
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'audit', entity: 'LedgerWriter', option: 'redact' });
    expect((error as Error).message).toContain('pasword');
  });

  test('include and exclude together, or a non-list, fail start-up', async () => {
    for (const audit of [{ include: ['value'], exclude: ['comment'] }, { exclude: 'comment' }]) {
      const error = await sqlite
        .init({ entities, extensions: [pluginSystem({ registry, entities: { LedgerSetting: [{ audit: audit as never }] } }), auditLog()] })
        .then(orm => orm.close().then(() => undefined), (e: unknown) => e);
      expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'audit', entity: 'LedgerSetting' });
    }
  });
});

describe('audit: clock', () => {
  test('recordedAt never runs backwards when the wall clock is stepped back', () => {
    const wall = [4_000_000_000_000, 3_999_999_999_000, 4_000_000_000_005];
    const clock = new MonotonicClock(() => wall.shift()!);
    expect([clock.read(), clock.read(), clock.read()].map(d => d.getTime())).toEqual([4_000_000_000_000, 4_000_000_000_000, 4_000_000_000_005]);
  });
});
