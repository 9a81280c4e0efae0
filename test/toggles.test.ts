import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { expect, test } from 'vitest';
import type { HookContext } from '../src/events.js';
import {
  describeChain,
  hook,
  plugin,
  pluginSystem,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationPlugin,
  withoutPlugins,
  withPlugins,
} from '../src/index.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    tgProbe: Record<string, never>;
  }
}

/** Titles the tgProbe plugin's beforeCreate hook saw. */
const probed: string[] = [];

@withPlugins(['timestamp', 'softDelete', 'tgProbe'])
@Entity()
class TgNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  // Declared nullable so a row written with timestamp switched off can be saved.
  @Property({ type: 'datetime', nullable: true }) createdAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) updatedAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
}

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });
  @plugin({ name: 'tgProbe', registry })
  class TgProbePlugin {
    @hook('beforeCreate') probe(note: TgNote, _ctx: HookContext) {
      probed.push(note.title);
    }
  }
  void TgProbePlugin;
  return registry;
}

async function withOrm(db: Database, fn: (orm: TestOrm, registry: PluginRegistry) => Promise<void>): Promise<void> {
  const registry = newRegistry();
  const orm = await db.init({ entities: [TgNote], extensions: [pluginSystem({ registry })] });
  probed.length = 0;
  try {
    await fn(orm, registry);
  } finally {
    await orm.close();
  }
}

/** Every row as stored, bypassing the ORM and its filters: [title, stamped?, deleted?]. */
async function rows(orm: TestOrm): Promise<[string, boolean, boolean][]> {
  const result = await orm.em
    .fork()
    .getConnection()
    .execute<{ title: string; created_at: unknown; deleted_at: unknown }[]>('select title, created_at, deleted_at from tg_note order by id');
  return result.map(r => [r.title, r.created_at != null, r.deleted_at != null]);
}

/** Titles visible through the ORM (query filters applied). */
async function visible(orm: TestOrm, options: Record<string, unknown> = {}): Promise<string[]> {
  return (await orm.em.fork().find(TgNote, {}, { orderBy: { id: 'asc' }, ...options })).map(n => n.title);
}

async function create(orm: TestOrm, ...titles: string[]): Promise<TgNote[]> {
  const em = orm.em.fork();
  const notes = titles.map(title => em.create(TgNote, { title }));
  await em.flush();
  return notes;
}

async function remove(orm: TestOrm, title: string): Promise<void> {
  const em = orm.em.fork();
  em.remove(await em.findOneOrFail(TgNote, { title }, { filters: false }));
  await em.flush();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

describeEachDatabase('registry.disable / enable', db => {
  test('disabling softDelete on a running ORM shows deleted rows and makes remove() delete for real', async () => {
    await withOrm(db, async (orm, registry) => {
      await create(orm, 'kept', 'soft');
      await remove(orm, 'soft');
      expect(await rows(orm)).toEqual([
        ['kept', true, false],
        ['soft', true, true],
      ]);
      expect(await visible(orm)).toEqual(['kept']);

      registry.disable('softDelete');
      expect(await visible(orm)).toEqual(['kept', 'soft']);
      expect(describeChain(orm, TgNote, 'beforeDelete')).toEqual([]);
      await remove(orm, 'kept');
      expect(await rows(orm)).toEqual([['soft', true, true]]);
    });
  });

  test('enable restores the query filter and the soft delete', async () => {
    await withOrm(db, async (orm, registry) => {
      await create(orm, 'a', 'b', 'c');
      await remove(orm, 'a');
      registry.disable('softDelete');
      expect(await visible(orm)).toEqual(['a', 'b', 'c']);

      registry.enable('softDelete');
      expect(await visible(orm)).toEqual(['b', 'c']);
      expect(describeChain(orm, TgNote, 'beforeDelete').map(h => h.plugin)).toEqual(['softDelete']);
      await remove(orm, 'b');
      expect(await rows(orm)).toEqual([
        ['a', true, true],
        ['b', true, true],
        ['c', true, false],
      ]);
      expect(await visible(orm)).toEqual(['c']);
    });
  });

  test('disabling timestamp skips its hooks from the next flush of an entity manager already in use; enable brings them back', async () => {
    await withOrm(db, async (orm, registry) => {
      const em = orm.em.fork();
      em.create(TgNote, { title: 'before' });
      await em.flush();
      registry.disable('timestamp');
      em.create(TgNote, { title: 'disabled' });
      await em.flush();
      registry.enable('timestamp');
      em.create(TgNote, { title: 'enabled' });
      await em.flush();
      expect(await rows(orm)).toEqual([
        ['before', true, false],
        ['disabled', false, false],
        ['enabled', true, false],
      ]);
      // Other plugins kept running throughout.
      expect(probed).toEqual(['before', 'disabled', 'enabled']);
    });
  });

  test('a disabled plugin’s update hook does not run: updatedAt stays put', async () => {
    await withOrm(db, async (orm, registry) => {
      const em = orm.em.fork();
      const note = em.create(TgNote, { title: 'a', updatedAt: new Date('2020-01-01T00:00:00Z') });
      await em.flush();
      const stamped = note.updatedAt;
      registry.disable('timestamp');
      note.title = 'b';
      await em.flush();
      expect(note.updatedAt).toBe(stamped);
      registry.enable('timestamp');
      note.title = 'c';
      await em.flush();
      expect(note.updatedAt).not.toBe(stamped);
      expect(note.updatedAt!.getTime()).toBeGreaterThan(stamped!.getTime());
    });
  });
});

describeEachDatabase('withoutPlugins', db => {
  test('skips the named plugin only inside the scope', async () => {
    await withOrm(db, async orm => {
      await withoutPlugins(['timestamp'], () => create(orm, 'inside'));
      await create(orm, 'outside');
      expect(await rows(orm)).toEqual([
        ['inside', false, false],
        ['outside', true, false],
      ]);
      // Only timestamp was skipped: the probe ran in both.
      expect(probed).toEqual(['inside', 'outside']);
    });
  });

  test('lifts the plugin’s query filter inside the scope and its delete hook with it', async () => {
    await withOrm(db, async orm => {
      await create(orm, 'a', 'b', 'c');
      await remove(orm, 'a');
      const inside = await withoutPlugins(['softDelete'], async () => {
        const seen = await visible(orm);
        await remove(orm, 'b');
        return seen;
      });
      expect(inside).toEqual(['a', 'b', 'c']);
      expect(await visible(orm)).toEqual(['c']);
      expect(await rows(orm)).toEqual([
        ['a', true, true],
        ['c', true, false],
      ]);
    });
  });

  test('concurrent work outside a scope is not affected by it, and the scope survives the interleaving', async () => {
    await withOrm(db, async orm => {
      const scopeEntered = deferred();
      const outsideFlushed = deferred();
      const insideFlushed = deferred();
      const order: string[] = [];

      const inside = withoutPlugins(['timestamp'], async () => {
        const em = orm.em.fork();
        em.create(TgNote, { title: 'in-1' });
        scopeEntered.resolve();
        await outsideFlushed.promise; // the other branch flushes while this scope is open
        await em.flush();
        order.push('in-1');
        insideFlushed.resolve();
        await Promise.resolve();
        em.create(TgNote, { title: 'in-2' });
        await em.flush();
        order.push('in-2');
      });

      const outside = (async () => {
        await scopeEntered.promise;
        const em = orm.em.fork();
        em.create(TgNote, { title: 'out-1' });
        await em.flush();
        order.push('out-1');
        outsideFlushed.resolve();
        await insideFlushed.promise;
        em.create(TgNote, { title: 'out-2' });
        await em.flush();
        order.push('out-2');
      })();

      await Promise.all([inside, outside]);
      expect(order.slice(0, 2)).toEqual(['out-1', 'in-1']);
      const stamped = Object.fromEntries((await rows(orm)).map(([title, hasStamp]) => [title, hasStamp]));
      expect(stamped).toEqual({ 'out-1': true, 'in-1': false, 'in-2': false, 'out-2': true });

      // Once the scope has settled, nothing is skipped any more.
      await create(orm, 'after');
      expect((await rows(orm)).find(([title]) => title === 'after')).toEqual(['after', true, false]);
    });
  });

  test('a query inside a scope lifts the filter while a concurrent query outside keeps it', async () => {
    await withOrm(db, async orm => {
      await create(orm, 'live', 'gone');
      await remove(orm, 'gone');
      const insideStarted = deferred();
      const outsideDone = deferred();
      const [inside, outside] = await Promise.all([
        withoutPlugins(['softDelete'], async () => {
          insideStarted.resolve();
          await outsideDone.promise;
          return visible(orm);
        }),
        (async () => {
          await insideStarted.promise;
          const seen = await visible(orm);
          outsideDone.resolve();
          return seen;
        })(),
      ]);
      expect(inside).toEqual(['live', 'gone']);
      expect(outside).toEqual(['live']);
    });
  });

  test('nested scopes accumulate, and leaving the inner one restores the outer set', async () => {
    await withOrm(db, async orm => {
      await withoutPlugins(['timestamp'], async () => {
        await withoutPlugins(['tgProbe'], () => create(orm, 'both skipped'));
        await create(orm, 'timestamp skipped');
      });
      await create(orm, 'none skipped');
      expect(await rows(orm)).toEqual([
        ['both skipped', false, false],
        ['timestamp skipped', false, false],
        ['none skipped', true, false],
      ]);
      expect(probed).toEqual(['timestamp skipped', 'none skipped']);
    });
  });

  test('a scope ends when its callback throws', async () => {
    await withOrm(db, async orm => {
      await expect(
        withoutPlugins(['timestamp'], async () => {
          await create(orm, 'inside');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await create(orm, 'after');
      expect(await rows(orm)).toEqual([
        ['inside', false, false],
        ['after', true, false],
      ]);
    });
  });
});

test('withoutPlugins returns what a sync callback returns, without a promise', () => {
  expect(withoutPlugins(['timestamp'], () => 42)).toBe(42);
});

describeEachDatabase('per-query filters', db => {
  test('filters: { softDelete: false } shows deleted rows for that one find only', async () => {
    await withOrm(db, async orm => {
      await create(orm, 'live', 'gone');
      await remove(orm, 'gone');
      expect(await visible(orm)).toEqual(['live']);
      expect(await visible(orm, { filters: { softDelete: false } })).toEqual(['live', 'gone']);
      expect(await visible(orm)).toEqual(['live']);
      const em = orm.em.fork();
      expect(await em.count(TgNote, {}, { filters: { softDelete: false } })).toBe(2);
      expect(await em.count(TgNote, {})).toBe(1);
      expect(await em.findOne(TgNote, { title: 'gone' })).toBeNull();
      expect(await em.findOne(TgNote, { title: 'gone' }, { filters: { softDelete: false } })).toMatchObject({ title: 'gone' });
    });
  });
});
