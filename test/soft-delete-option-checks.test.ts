// Start-up checks of the softDelete options that name the entity's own properties: `unique` entries,
// and `field` / `batchField` / `deletedBy` naming a property the entity declares itself.
import { Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginOptionsError, PluginRegistry, SoftDeletePlugin, pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@Entity()
class OcOwner {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

@Entity()
class OcItem {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @ManyToOne({ entity: () => OcCollectionUnique }) holder!: OcCollectionUnique;
}

@withPlugins([{ softDelete: { unique: ['nothing'] } }])
@Entity()
class OcUnknownUnique {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', length: 50 }) email!: string;
  @ManyToOne({ entity: () => OcOwner, nullable: true }) owner?: OcOwner | null;
}

@withPlugins([{ softDelete: { unique: [['email', 'nothing']] } }])
@Entity()
class OcUnknownInComposite {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', length: 50 }) email!: string;
}

@withPlugins([{ softDelete: { unique: ['items'] } }])
@Entity()
class OcCollectionUnique {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @OneToMany({ entity: () => OcItem, mappedBy: 'holder' }) items = new Collection<OcItem>(this);
}

@withPlugins([{ softDelete: { field: 'removedAt' } }])
@Entity()
class OcNotNullField {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'Date' }) removedAt!: Date;
}

@withPlugins([{ softDelete: { deletedBy: 'remover' } }])
@Entity()
class OcNotNullDeletedBy {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) remover!: string;
}

@withPlugins([{ softDelete: { field: 'owner' } }])
@Entity()
class OcRelationField {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @ManyToOne({ entity: () => OcOwner, nullable: true }) owner?: OcOwner | null;
}

/** Accepted: its own nullable properties, and a unique over a scalar and a many-to-one. */
@withPlugins([{ softDelete: { field: 'removedAt', deletedBy: 'remover', unique: [['owner', 'email']] } }])
@Entity()
class OcFine {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', length: 50 }) email!: string;
  @ManyToOne({ entity: () => OcOwner }) owner!: OcOwner;
  @Property({ type: 'Date', nullable: true }) removedAt?: Date | null;
  @Property({ type: 'string', nullable: true }) remover?: string | null;
}

describeEachDatabase('soft delete: option checks at start-up', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  const cases = [
    [OcUnknownUnique, 'unique', 'MOP_SOFT_DELETE_UNIQUE', 'nothing'],
    [OcUnknownInComposite, 'unique', 'MOP_SOFT_DELETE_UNIQUE', 'nothing'],
    [OcCollectionUnique, 'unique', 'MOP_SOFT_DELETE_UNIQUE', 'items'],
    [OcNotNullField, 'field', 'MOP_SOFT_DELETE_FIELD', 'NOT NULL'],
    [OcNotNullDeletedBy, 'deletedBy', 'MOP_SOFT_DELETE_FIELD', 'NOT NULL'],
    [OcRelationField, 'field', 'MOP_SOFT_DELETE_FIELD', 'm:1'],
  ] as const;

  for (const [entity, option, code, said] of cases) {
    test(`${entity.name}: ${option} fails at start-up with ${code}`, async () => {
      const entities = entity === OcCollectionUnique ? [OcOwner, OcItem, entity] : [OcOwner, entity];
      const failed = db.init({ entities, extensions: [pluginSystem({ registry })] });
      const error = await failed.then(
        opened => ((orm = opened), undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PluginOptionsError);
      expect(error).toMatchObject({ code, entity: entity.name, plugin: 'softDelete', option });
      expect((error as Error).message).toContain(said);
    });
  }

  test('nullable properties of its own and a unique over a many-to-one and a scalar are accepted, and work', async () => {
    const o = (orm = await db.init({ entities: [OcOwner, OcFine], extensions: [pluginSystem({ registry })] }));
    const em = o.em.fork();
    const owner = em.create(OcOwner, {});
    const first = em.create(OcFine, { email: 'a@x.io', owner });
    await em.flush();
    em.remove(first);
    await em.flush();
    em.create(OcFine, { email: 'a@x.io', owner });
    await em.flush();
    const rows = await o.em.fork().find(OcFine, {}, { filters: false, orderBy: { id: 'asc' } });
    expect(rows.map(r => r.removedAt != null)).toEqual([true, false]);
  });
});
