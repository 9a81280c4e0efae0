// onlyDeleted filters the entity read, not the relations it joins or populates: those follow the
// ordinary rules (live rows only, deletedTargets). Deleted children are read as the root of their own
// read: em.find(Child, { parent }, onlyDeleted()) or parent.children.init(onlyDeleted()).
import { Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, RelationPathError, SoftDeletePlugin, onlyDeleted, pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@withPlugins(['softDelete'])
@Entity()
class OdShelf {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => OdBox, mappedBy: 'shelf' }) boxes = new Collection<OdBox>(this);
  deletedAt?: Date | null;
}

/** A NOT NULL key to the shelf, and a nullable self-reference. */
@withPlugins(['softDelete'])
@Entity()
class OdBox {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  @ManyToOne({ entity: () => OdShelf }) shelf!: OdShelf;
  @ManyToOne({ entity: () => OdBox, nullable: true }) next?: OdBox | null;
  deletedAt?: Date | null;
}

/** Owners of a deleted shelf are hidden (`hide`). */
@withPlugins([{ softDelete: { deletedTargets: { shelf: 'hide' } } }])
@Entity()
class OdCrate {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  @ManyToOne({ entity: () => OdShelf }) shelf!: OdShelf;
  deletedAt?: Date | null;
}

const entities = [OdShelf, OdBox, OdCrate];
const gone = new Date('2020-01-02T03:04:05.000Z');
const strategies = ['select-in', 'joined'] as const;
const labels = (rows: readonly { label: string }[]) => rows.map(r => r.label).sort();

/** A live shelf and a deleted one; on each a live and a deleted box and crate. The deleted box on the live shelf points at the live one. */
async function store(orm: MikroORM): Promise<{ live: number; dropped: number }> {
  const em = orm.em.fork();
  const live = em.create(OdShelf, { name: 'live' });
  const dropped = em.create(OdShelf, { name: 'dropped', deletedAt: gone });
  const kept = em.create(OdBox, { label: 'kept', shelf: live });
  em.create(OdBox, { label: 'binned', shelf: live, next: kept, deletedAt: gone });
  em.create(OdBox, { label: 'kept on dropped', shelf: dropped });
  em.create(OdBox, { label: 'binned on dropped', shelf: dropped, deletedAt: gone });
  em.create(OdCrate, { label: 'kept', shelf: live });
  em.create(OdCrate, { label: 'binned', shelf: live, deletedAt: gone });
  em.create(OdCrate, { label: 'binned on dropped', shelf: dropped, deletedAt: gone });
  await em.flush();
  return { live: live.id, dropped: dropped.id };
}

describeEachDatabase('soft delete: onlyDeleted filters the root entity only', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));

  test('collection.init(onlyDeleted()) on a live parent gives its deleted children', async () => {
    const o = await init();
    const ids = await store(o);
    const shelf = await o.em.fork().findOneOrFail(OdShelf, ids.live);
    await shelf.boxes.init(onlyDeleted());
    expect(labels(shelf.boxes.getItems())).toEqual(['binned']);
    const again = await o.em.fork().findOneOrFail(OdShelf, ids.live);
    await o.em.fork().populate(again, ['boxes'], onlyDeleted());
    expect(labels(again.boxes.getItems())).toEqual(['binned']);
  });

  test('the trash listing keeps rows whose parent is live, and their relations point at the live rows (select-in and joined)', async () => {
    const o = await init();
    const ids = await store(o);
    for (const strategy of strategies) {
      const em = o.em.fork();
      const boxes = await em.find(OdBox, {}, { onlyDeleted: true, populate: ['shelf', 'next'], strategy });
      expect(labels(boxes)).toEqual(['binned', 'binned on dropped']);
      const binned = boxes.find(b => b.label === 'binned')!;
      // Relations follow the ordinary rules: the live shelf and the live box are there, the deleted shelf is null.
      expect(binned.shelf?.id).toBe(ids.live);
      expect(binned.next?.label).toBe('kept');
      expect(boxes.find(b => b.label === 'binned on dropped')!.shelf).toBeNull();
      expect(await em.count(OdBox, {}, { onlyDeleted: true })).toBe(2);
    }
  });

  test("with deletedTargets 'hide', the trash listing keeps rows whose parent is live and hides those of a deleted parent", async () => {
    const o = await init();
    await store(o);
    for (const strategy of strategies) {
      const em = o.em.fork();
      expect(labels(await em.find(OdCrate, {}, { onlyDeleted: true, strategy }))).toEqual(['binned']);
      expect(labels(await em.find(OdCrate, {}, { ...onlyDeleted(), populate: ['shelf'], strategy }))).toEqual(['binned']);
      expect(await em.count(OdCrate, {}, onlyDeleted())).toBe(1);
      const [rows, total] = await em.findAndCount(OdCrate, {}, { onlyDeleted: true });
      expect([labels(rows), total]).toEqual([['binned'], 1]);
    }
  });

  test("a deleted parent's populate shows no deleted children; they are read as a root", async () => {
    const o = await init();
    const ids = await store(o);
    for (const strategy of strategies) {
      const em = o.em.fork();
      const [dropped] = await em.find(OdShelf, {}, { onlyDeleted: true, populate: ['boxes'], strategy });
      expect(dropped!.id).toBe(ids.dropped);
      expect(labels(dropped!.boxes.getItems())).not.toContain('binned on dropped');
      expect(labels(await em.fork().find(OdBox, { shelf: ids.dropped }, onlyDeleted()))).toEqual(['binned on dropped']);
    }
  });

  test("onlyDeleted(qb): the builder's entity is deleted only, the entities it joins are live", async () => {
    const o = await init();
    const ids = await store(o);
    const em = o.em.fork();
    const boxes = await onlyDeleted(em.createQueryBuilder(OdBox, 'b')).select('*').leftJoinAndSelect('b.shelf', 's').getResultList();
    expect(labels(boxes)).toEqual(['binned', 'binned on dropped']);
    expect(boxes.find(b => b.label === 'binned')!.shelf?.id).toBe(ids.live);
    const crates = await onlyDeleted(em.fork().createQueryBuilder(OdCrate, 'c')).join('c.shelf', 's').getResultList();
    expect(labels(crates)).toEqual(['binned']);
  });
});

describeEachDatabase('soft delete: onlyDeleted opts relations in by path', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));

  test("{ relations: ['boxes'] }: a deleted shelf comes with its deleted boxes only (select-in and joined, option and helper)", async () => {
    const o = await init();
    const ids = await store(o);
    for (const strategy of strategies) {
      for (const only of [{ onlyDeleted: { relations: ['boxes'] } } as const, onlyDeleted({ relations: ['boxes'] })]) {
        const [dropped, ...rest] = await o.em.fork().find(OdShelf, {}, { ...only, populate: ['boxes'], strategy });
        expect([dropped!.id, rest.length]).toEqual([ids.dropped, 0]);
        expect(labels(dropped!.boxes.getItems())).toEqual(['binned on dropped']);
      }
    }
    // The opt-in is per call: the next read's relations follow the ordinary rules again.
    const [again] = await o.em.fork().find(OdShelf, {}, { onlyDeleted: true, populate: ['boxes'] });
    expect(labels(again!.boxes.getItems())).not.toContain('binned on dropped');
  });

  test("{ relations: ['shelf'] }: deleted boxes with their deleted shelf, through populate and a QueryBuilder join", async () => {
    const o = await init();
    const ids = await store(o);
    const boxes = await o.em.fork().find(OdBox, {}, { onlyDeleted: { relations: ['shelf'] }, populate: ['shelf'], strategy: 'joined' });
    expect(labels(boxes)).toEqual(['binned', 'binned on dropped']);
    expect(boxes.find(b => b.label === 'binned on dropped')!.shelf?.id).toBe(ids.dropped);
    // The live shelf is not a deleted row: the relation reads as null.
    expect(boxes.find(b => b.label === 'binned')!.shelf).toBeNull();
    const joined = await onlyDeleted(o.em.fork().createQueryBuilder(OdBox, 'b'), { relations: ['shelf'] }).select('*').join('b.shelf', 's').getResultList();
    expect(labels(joined)).toEqual(['binned on dropped']);
  });

  test('a path that is not a relation gets RelationPathError (MOP_SOFT_DELETE_RELATION) naming the entity and the nearest relation', async () => {
    const o = await init();
    await store(o);
    const em = o.em.fork();
    const refused = async (relations: unknown) => {
      const error = await em.find(OdShelf, {}, { onlyDeleted: { relations: relations as never } }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RelationPathError);
      return error as RelationPathError;
    };
    expect(await refused(['boxs'])).toMatchObject({ code: 'MOP_SOFT_DELETE_RELATION', entity: 'OdShelf', plugin: 'softDelete', message: expect.stringContaining("did you mean 'boxes'?") });
    expect((await refused(['name'])).message).toContain("OdShelf has no relation 'name'");
    expect((await refused(['boxes.nxt'])).message).toContain("OdBox has no relation 'nxt'; did you mean 'next'?");
    expect((await refused('boxes')).code).toBe('MOP_SOFT_DELETE_RELATION');
    expect((await refused([42])).code).toBe('MOP_SOFT_DELETE_RELATION');
    // The compiler checks the first segment of a path against the entity's properties.
    // @ts-expect-error 'crates' is no property of OdShelf
    const untyped = (): unknown => em.find(OdShelf, {}, { onlyDeleted: { relations: ['crates'] } });
    expect(typeof untyped).toBe('function');
    await expect(em.find(OdShelf, {}, { withDeleted: true, onlyDeleted: { relations: ['boxes'] } })).rejects.toMatchObject({ code: 'MOP_CONFLICTING_OPTIONS' });
  });
});
