// The cache and soft delete on one entity: a read by primary key that asks for deleted rows
// (onlyDeleted, withDeleted) gets the row the database holds, never a cached "live" answer.
import { defineEntity, p } from '@mikro-orm/core';
import { afterEach, expect, test } from 'vitest';
import { CachePlugin } from '../src/cache.js';
import { onlyDeleted, pluginSystem, PluginRegistry, SoftDeletePlugin, usePlugins, withDeleted } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin, cache: CachePlugin });

describeEachDatabase('cache with soft delete: reads by primary key of deleted rows', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  test('findOne with onlyDeleted / withDeleted finds a removed row, before and after it was cached; a plain findOne does not', async () => {
    const Note = usePlugins(defineEntity({ name: 'CsdNote', properties: { id: p.integer().primary(), text: p.string(), deletedAt: p.datetime().nullable() } }), ['softDelete', { cache: { store: 'memory' } }]);
    orm = await db.init({ entities: [Note], extensions: [pluginSystem({ registry })] });
    const em = orm.em.fork();
    const note = em.create(Note, { text: 'kept' });
    await em.flush();
    // Cached while live.
    expect((await orm.em.fork().findOne(Note, note.id))?.text).toBe('kept');
    em.remove(note);
    await em.flush();
    for (let round = 0; round < 2; round++) {
      expect(await orm.em.fork().findOne(Note, note.id)).toBeNull();
      expect((await orm.em.fork().findOne(Note, note.id, onlyDeleted()))?.text).toBe('kept');
      expect((await orm.em.fork().findOne(Note, note.id, withDeleted()))?.text).toBe('kept');
      expect((await orm.em.fork().findOne(Note, note.id, { onlyDeleted: true }))?.text).toBe('kept');
      expect((await orm.em.fork().findOneOrFail(Note, note.id, { withDeleted: true })).text).toBe('kept');
    }
  });
});
