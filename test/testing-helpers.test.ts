// The `mikro-orm-plugins/testing` helpers, used for real: in-memory SQLite, real flushes, real audit rows.
import { AssertionError } from 'node:assert';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, describe, expect, test } from 'vitest';
import { AuditPlugin, auditLog, history } from '../src/audit.js';
import {
  HookError,
  PluginConfigError,
  PluginOptionsError,
  defaultRegistry,
  describeChain,
  hook,
  onlyDeleted,
  plugin,
  runtimeOf,
  type EntityChanges,
  type HookContext,
} from '../src/index.js';
import { createTestOrm, expectChain, fakeClock, recordHooks, testRegistry, withActor, type TestOrm, type TestOrmOptions } from '../src/testing.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    thSlug: true;
  }
}

/** A plugin of the kind users test: fills `slug` before every save, and counts the changes it saw. */
@plugin({ name: 'thSlug', after: ['timestamp'] })
class ThSlugPlugin {
  readonly seen: string[] = [];

  @hook('beforeSave', { priority: -10 })
  slugify(entity: { title: string; slug?: string }): void {
    entity.slug = entity.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  }

  @hook('afterChange')
  noted(_entity: object, changes: EntityChanges, ctx: HookContext): void {
    this.seen.push(`${changes.kind} ${ctx.meta.className}`);
  }
}

@Entity()
class ThNote {
  static plugins = ['timestamp', 'softDelete', 'thSlug'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'string', nullable: true }) slug?: Opt<string>;
  declare createdAt?: Date;
  declare updatedAt?: Date;
  declare deletedAt?: Date | null;
}

@Entity()
class ThTicket {
  static plugins = [{ audit: { exclude: ['createdAt', 'updatedAt'] } }, 'timestamp'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) subject!: string;
  declare updatedAt?: Date;
}

/** No plugins. */
@Entity()
class ThPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

let orm: TestOrm | undefined;
afterEach(async () => {
  await orm?.close();
  orm = undefined;
});

const notes = async (options: Partial<TestOrmOptions> = {}) =>
  (orm = await createTestOrm({ entities: [ThNote, ThPlain], plugins: [ThSlugPlugin], ...options }));

describe('testRegistry', () => {
  test('a fresh registry per call: the built-ins in the main entry\'s order, then the plugins given', () => {
    const a = testRegistry(ThSlugPlugin);
    const b = testRegistry();
    expect(a).not.toBe(b);
    expect(a).not.toBe(defaultRegistry);
    expect(a.names()).toEqual(['timestamp', 'softDelete', 'validation', 'thSlug']);
    expect(b.names()).toEqual(['timestamp', 'softDelete', 'validation']);
    a.disable('softDelete');
    expect(b.isEnabled('softDelete')).toBe(true);
    expect(defaultRegistry.isEnabled('softDelete')).toBe(true);
  });

  test('takes instances: every ORM on the registry then uses that one', async () => {
    const slug = new ThSlugPlugin();
    orm = await createTestOrm({ entities: [ThNote], registry: testRegistry(slug) });
    orm.em.create(ThNote, { title: 'By Instance' });
    await orm.em.flush();
    expect(slug.seen).toEqual(['create ThNote']);
  });
});

describe('createTestOrm', () => {
  test('an initialised in-memory SQLite ORM, schema created, plugins running on real flushes', async () => {
    const orm = await notes();
    expect(orm.config.get('dbName')).toBe(':memory:');
    // Its own registry, not the default one: the plugin given in `plugins` was registered there.
    expect(runtimeOf(orm).registry).not.toBe(defaultRegistry);
    expect(runtimeOf(orm).registry.names()).toContain('thSlug');
    const note = orm.em.create(ThNote, { title: 'Hello Tests' });
    orm.em.create(ThPlain, { name: 'plain' });
    await orm.em.flush();
    const row = await orm.em.fork().findOneOrFail(ThNote, note.id);
    expect(row.slug).toBe('hello-tests');
    expect(row.createdAt).toBeInstanceOf(Date);
    orm.em.remove(note);
    await orm.em.flush();
    expect(await orm.em.fork().count(ThNote)).toBe(0);
    expect(await orm.em.fork().count(ThNote, {}, onlyDeleted())).toBe(1);
  });

  test('disabled plugins keep their columns but do not run', async () => {
    const orm = await notes({ disabled: ['softDelete', 'thSlug'] });
    const note = orm.em.create(ThNote, { title: 'Gone For Good' });
    await orm.em.flush();
    expect(note.slug).toBeUndefined();
    orm.em.remove(note);
    await orm.em.flush();
    expect(await orm.em.fork().count(ThNote, {}, onlyDeleted())).toBe(0);
    const columns = await orm.em.getConnection().execute<{ name: string }[]>(`select name from pragma_table_info('th_note')`);
    expect(columns.map(c => c.name)).toContain('deleted_at');
    // A disabled plugin leaves the chain.
    expectChain(orm, ThNote, 'beforeDelete', []);
  });

  test('a registry of the caller\'s is used as given; global and entityPlugins reach pluginSystem()', async () => {
    const registry = testRegistry(ThSlugPlugin);
    orm = await createTestOrm({ entities: [ThPlain], registry, global: ['timestamp'], entityPlugins: { ThPlain: ['softDelete'] } });
    expect(runtimeOf(orm).registry).toBe(registry);
    expect(describeChain(orm, ThPlain, 'beforeCreate').map(h => h.plugin)).toEqual(['timestamp']);
    expect(describeChain(orm, ThPlain, 'beforeDelete').map(h => h.plugin)).toEqual(['softDelete']);
  });

  test('start-up errors reach the caller; an unknown disabled name closes the ORM and throws', async () => {
    // ThNote names thSlug, which a fresh registry does not have unless given.
    await expect(createTestOrm({ entities: [ThNote] })).rejects.toThrow(/thSlug/);
    await expect(notes({ disabled: ['nope'] })).rejects.toBeInstanceOf(PluginConfigError);
  });

  test('createSchema: false leaves the database empty', async () => {
    const orm = await notes({ createSchema: false });
    const tables = await orm.em.getConnection().execute<{ name: string }[]>(`select name from sqlite_master where type = 'table'`);
    expect(tables).toEqual([]);
  });
});

describe('fakeClock', () => {
  test('moves only when told; now() hands out copies', () => {
    const clock = fakeClock('2030-05-06T07:08:09.000Z');
    const first = clock.now();
    first.setFullYear(1999);
    expect(clock.now().toISOString()).toBe('2030-05-06T07:08:09.000Z');
    expect(clock.advance(1500).toISOString()).toBe('2030-05-06T07:08:10.500Z');
    expect(clock.now().toISOString()).toBe('2030-05-06T07:08:10.500Z');
    expect(clock.set(new Date(0)).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(clock.advance(-1000).getTime()).toBe(-1000);
    expect(fakeClock().now().toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  test('rejects what is not a time', () => {
    const invalid = expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT' });
    expect(() => fakeClock('not a date')).toThrow(invalid);
    expect(() => fakeClock().advance(Number.NaN)).toThrow(/finite/);
    expect(() => fakeClock().set('soon')).toThrow(invalid);
  });

  test('drives the timestamp plugin\'s createdAt and updatedAt through its now option', async () => {
    const clock = fakeClock('2030-01-01T00:00:00.000Z');
    const orm = await notes({ entityPlugins: { ThNote: [{ timestamp: { now: clock.now } }] } });
    const note = orm.em.create(ThNote, { title: 'Clocked' });
    await orm.em.flush();
    expect(note.createdAt!.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(note.updatedAt!.toISOString()).toBe('2030-01-01T00:00:00.000Z');

    clock.advance(5 * 60_000);
    note.title = 'Clocked Again';
    await orm.em.flush();
    const stored = await orm.em.fork().findOneOrFail(ThNote, note.id);
    expect(stored.createdAt!.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(stored.updatedAt!.toISOString()).toBe('2030-01-01T00:05:00.000Z');

    // A flush with nothing changed leaves updatedAt alone, whatever the clock says.
    clock.advance(60_000);
    await orm.em.flush();
    expect((await orm.em.fork().findOneOrFail(ThNote, note.id)).updatedAt!.toISOString()).toBe('2030-01-01T00:05:00.000Z');

    // Native updates read the same clock.
    clock.set('2031-02-03T04:05:06.000Z');
    await orm.em.fork().nativeUpdate(ThNote, { id: note.id }, { title: 'Native' });
    expect((await orm.em.fork().findOneOrFail(ThNote, note.id)).updatedAt!.toISOString()).toBe('2031-02-03T04:05:06.000Z');
  });

  test('the now option is checked: a non-function fails start-up, a non-Date fails the flush', async () => {
    await expect(notes({ entityPlugins: { ThNote: [{ timestamp: { now: 'noon' as unknown as () => Date } }] } })).rejects.toSatisfy(
      (e: unknown) => e instanceof PluginOptionsError && e.option === 'now',
    );
    const orm = await notes({ entityPlugins: { ThNote: [{ timestamp: { now: () => 'noon' as unknown as Date } }] } });
    orm.em.create(ThNote, { title: 'Bad Clock' });
    const failure = await orm.em.flush().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HookError);
    expect((failure as HookError).plugin).toBe('timestamp');
    expect(String((failure as HookError).message)).toMatch(/'now' option returned noon/);
    expect(await orm.em.fork().count(ThNote)).toBe(0);
  });
});

describe('recordHooks', () => {
  test('records each hook that ran, in order, with its event, entity and arguments', async () => {
    const orm = await notes();
    const recorder = recordHooks(orm);
    const note = orm.em.create(ThNote, { title: 'Recorded' });
    await orm.em.flush();
    expect(recorder.hooks({ entity: ThNote })).toEqual(['timestamp.stampCreate', 'thSlug.slugify', 'thSlug.noted']);
    expect(recorder.hooks({ event: 'afterChange' })).toEqual(['thSlug.noted']);
    const [create, , change] = recorder.calls;
    expect(create).toMatchObject({ plugin: 'timestamp', method: 'stampCreate', hook: 'timestamp.stampCreate', event: 'beforeCreate', entity: 'ThNote' });
    // The entity itself (a batch hook: in a list), and no context among the arguments.
    expect(create!.args).toEqual([[note]]);
    expect((create!.args[0] as unknown[])[0]).toBe(note);
    expect(change!.args[0]).toBe(note);
    expect((change!.args[1] as EntityChanges).kind).toBe('create');

    recorder.clear();
    orm.em.remove(note);
    await orm.em.flush();
    // The soft delete became an update: beforeDelete vetoed, then the update chain ran.
    expect(recorder.hooks({ entity: 'ThNote' })).toEqual([
      'softDelete.softDelete',
      'timestamp.stampUpdate',
      'thSlug.slugify',
      'softDelete.noticeRestore',
      'softDelete.announce',
      'thSlug.noted',
    ]);
    expect(recorder.calls.map(c => c.event)).toEqual(['beforeDelete', 'beforeUpdate', 'beforeUpdate', 'beforeUpdate', 'afterUpdate', 'afterChange']);
  });

  test('bulk hooks are recorded with (entityName, where, data); read hooks too', async () => {
    const orm = await notes();
    orm.em.create(ThNote, { title: 'Bulk' });
    await orm.em.flush();
    const recorder = recordHooks(orm);
    await orm.em.fork().nativeUpdate(ThNote, { title: 'Bulk' }, { title: 'Bulked' });
    const stamp = recorder.calls.find(c => c.hook === 'timestamp.stampBulkUpdate')!;
    expect(stamp.event).toBe('beforeBulkUpdate');
    expect(stamp.args[0]).toBe('ThNote');
    expect(stamp.args[1]).toEqual({ title: 'Bulk' });
    expect(stamp.args[2]).toMatchObject({ title: 'Bulked', updatedAt: expect.any(Date) });
    recorder.clear();
    await orm.em.fork().find(ThNote, {});
    expect(recorder.hooks({ plugin: 'softDelete' })).toContain('softDelete.deletedRowsOptions');
  });

  test('stop() puts the plugins\' own methods back and records nothing more', async () => {
    const orm = await notes();
    const recorder = recordHooks(orm);
    const slug = runtimeOf(orm).instanceOf('thSlug')!;
    expect(Object.hasOwn(slug, 'slugify')).toBe(true);
    recorder.stop();
    expect(Object.hasOwn(slug, 'slugify')).toBe(false);
    orm.em.create(ThNote, { title: 'Unrecorded' });
    await orm.em.flush();
    expect(recorder.calls).toEqual([]);
  });

  test('two recorders see the same calls; each ORM\'s recorder only its own, even on a shared instance', async () => {
    const shared = new ThSlugPlugin();
    const registry = testRegistry(shared);
    orm = await createTestOrm({ entities: [ThNote], registry });
    const other = await createTestOrm({ entities: [ThNote], registry });
    try {
      const first = recordHooks(orm);
      const second = recordHooks(orm);
      const others = recordHooks(other);
      other.em.create(ThNote, { title: 'Other' });
      await other.em.flush();
      orm.em.create(ThNote, { title: 'Mine' });
      await orm.em.flush();
      expect(first.hooks()).toEqual(['timestamp.stampCreate', 'thSlug.slugify', 'thSlug.noted']);
      expect(second.hooks()).toEqual(first.hooks());
      expect(others.hooks()).toEqual(first.hooks());
      expect(others.calls[1]!.args[0]).toMatchObject({ title: 'Other' });
      expect(first.calls[1]!.args[0]).toMatchObject({ title: 'Mine' });
      first.stop();
      // Still wrapped for the others.
      expect(Object.hasOwn(shared, 'slugify')).toBe(true);
      second.stop();
      others.stop();
      expect(Object.hasOwn(shared, 'slugify')).toBe(false);
    } finally {
      await other.close();
    }
  });

  test('a hook\'s error and result still pass through the recorder', async () => {
    const orm = await notes();
    const recorder = recordHooks(orm);
    const note = orm.em.create(ThNote, { title: 'Veto' });
    await orm.em.flush();
    orm.em.remove(note);
    await orm.em.flush();
    // softDelete.softDelete returned false through the wrapper: the row is still there.
    expect(await orm.em.fork().count(ThNote, {}, onlyDeleted())).toBe(1);
    expect(recorder.hooks({ event: 'afterDelete' })).toEqual([]);
  });
});

describe('expectChain', () => {
  test('passes on the compiled chain and returns it', async () => {
    const orm = await notes();
    const chain = expectChain(orm, ThNote, 'beforeCreate', ['timestamp.stampCreate', 'thSlug.slugify']);
    expect(chain.map(h => h.priority)).toEqual([-100, -10]);
    expectChain(orm.em, ThPlain, 'beforeCreate', []);
  });

  test('throws an AssertionError naming the entity, the event, both chains and the priorities', async () => {
    const orm = await notes();
    let error: unknown;
    try {
      expectChain(orm, ThNote, 'beforeCreate', ['thSlug.slugify', 'timestamp.stampCreate']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssertionError);
    expect(error).toBeInstanceOf(Error);
    const assertion = error as AssertionError;
    expect(assertion.message).toBe(
      'expectChain: the beforeCreate chain of ThNote differs\n' +
        '  expected: thSlug.slugify -> timestamp.stampCreate\n' +
        '  actual:   timestamp.stampCreate(-100) -> thSlug.slugify(-10)',
    );
    expect(assertion.actual).toEqual(['timestamp.stampCreate', 'thSlug.slugify']);
    expect(assertion.expected).toEqual(['thSlug.slugify', 'timestamp.stampCreate']);
    expect(() => expectChain(orm, ThNote, 'beforeCreate', ['timestamp.stampCreate'])).toThrow(AssertionError);
    expect(() => expectChain(orm, ThPlain, 'beforeCreate', ['timestamp.stampCreate'])).toThrow(/expected: timestamp.stampCreate\n {2}actual: {3}\(no hooks\)/);
  });
});

describe('withActor', () => {
  const tickets = async () =>
    (orm = await createTestOrm({ entities: [ThTicket], registry: testRegistry(AuditPlugin), extensions: [auditLog()] }));

  test('the actor lands in the audit rows of the flushes inside, and only those', async () => {
    const orm = await tickets();
    const ticket = await withActor('alice', async () => {
      const em = orm.em.fork();
      const created = em.create(ThTicket, { subject: 'Printer on fire' });
      await em.flush();
      return created;
    });
    await withActor({ actor: 'bob', requestId: 'req-7' }, async () => {
      const em = orm.em.fork();
      (await em.findOneOrFail(ThTicket, ticket.id)).subject = 'Printer out';
      await em.flush();
    });
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(ThTicket, ticket.id));
    await em.flush();
    const rows = await history(orm.em.fork(), ThTicket, ticket.id);
    expect(rows.map(r => [r.operation, r.actor, r.requestId])).toEqual([
      ['delete', null, null],
      ['update', 'bob', 'req-7'],
      ['create', 'alice', null],
    ]);
  });

  test('returns what fn returns; rejects a bad actor', async () => {
    expect(withActor('carol', () => 42)).toBe(42);
    expect(() => withActor(7 as unknown as string, () => 0)).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT', option: 'actor' }));
  });
});
