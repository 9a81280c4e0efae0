// Rows MikroORM cascades a remove to join their parent's deletion batch also when the relation names a
// base entity of a single-table hierarchy and the rows are of a subclass: the parents that can cascade to
// an entity are worked out once per entity, by hierarchy.
import { Cascade, Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, pluginSystem, withDeleted } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@Entity({ abstract: true, discriminatorColumn: 'kind' })
abstract class InhMedia {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) kind!: string;
  @Property({ type: 'string' }) name!: string;
  deletionBatch?: string | null;
}

@Entity({ discriminatorValue: 'photo' })
class InhPhoto extends InhMedia {}

@Entity()
class InhGallery {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany({ entity: () => InhMedia, cascade: [Cascade.PERSIST, Cascade.REMOVE] }) items = new Collection<InhMedia>(this);
  deletionBatch?: string | null;
}

describeEachDatabase('soft delete: cascaded rows of a subclass join the parent batch', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  test('a many-to-many to the base entity: the loaded subclass rows MikroORM cascades to get the gallery batch', async () => {
    orm = await db.init({ entities: [InhMedia, InhPhoto, InhGallery], extensions: [pluginSystem({ registry, global: ['softDelete'] })] });
    const setup = orm.em.fork();
    const gallery = setup.create(InhGallery, { name: 'trip' });
    gallery.items.add(setup.create(InhPhoto, { name: 'beach' } as never), setup.create(InhPhoto, { name: 'hill' } as never));
    setup.create(InhPhoto, { name: 'elsewhere' } as never);
    await setup.flush();

    const em = orm.em.fork();
    const removed = await em.findOneOrFail(InhGallery, gallery.id, { populate: ['items'] });
    em.remove(removed);
    await em.flush();

    expect(removed.deletionBatch).toEqual(expect.any(String));
    const photos = await orm.em.fork().find(InhPhoto, {}, { ...withDeleted(), orderBy: { name: 'asc' } });
    expect(photos.map(p => [p.name, p.deletionBatch ?? null])).toEqual([
      ['beach', removed.deletionBatch],
      ['elsewhere', null],
      ['hill', removed.deletionBatch],
    ]);
  });
});
