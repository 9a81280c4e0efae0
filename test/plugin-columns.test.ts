// The columns the timestamp and softDelete plugins add, on the write paths that bypass entity hooks
// (pivot rows), in inheritance hierarchies, next to columns an entity already maps, and in upserts
// with a raw conflict target. Issue 12, parts 2 and 3.
import { EntitySchema, defineEntity, p, raw, type EntityMetadata, type MikroORM, type Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, describe, expect, test } from 'vitest';
import { PluginOptionsError, PluginRegistry, SoftDeletePlugin, TimestampPlugin, pluginSystem, usePlugins } from '../src/index.js';
import { describeEachDatabase, sqlite, type TestOrm } from './support/databases.js';
import { columnsOf, epochMs, quote, sql, tableOf } from './support/fixtures-sql.js';

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin });

/** A datetime column as epoch milliseconds; PostgreSQL's text form ends in a bare hour offset (`+00`). */
const ms = (value: unknown) => epochMs(typeof value === 'string' ? value.replace(/([+-]\d\d)$/, '$1:00') : value);

/** Whether the row's value is a time within a minute of now (the database's clock, read as UTC). */
const recent = (value: unknown) => value != null && Math.abs(ms(value) - Date.now()) < 60_000;

async function rows(orm: MikroORM, entity: unknown, order = 'id'): Promise<Record<string, unknown>[]> {
  return sql(orm, `select * from ${quote(orm, tableOf(orm, entity as never))} order by ${quote(orm, order)}`);
}

describeEachDatabase('plugin columns on pivot tables', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  function model() {
    const Tag = defineEntity({ name: 'PcTag', properties: { id: p.integer().primary(), name: p.string() } });
    const Post = defineEntity({
      name: 'PcPost',
      properties: { id: p.integer().primary(), title: p.string(), tags: () => p.manyToMany(Tag).pivotEntity(() => PostTag) },
    });
    const PostTag = defineEntity({
      name: 'PcPostTag',
      properties: { post: () => p.manyToOne(Post).primary(), tag: () => p.manyToOne(Tag).primary() },
    });
    return { Tag, Post, PostTag };
  }

  test('collection.add on a custom pivot entity: the pivot row is written, its timestamps filled by the database (NULL on SQLite)', async () => {
    const { Tag, Post, PostTag } = model();
    orm = await db.init({ entities: [Tag, Post, PostTag], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    expect(await columnsOf(orm, PostTag)).toEqual(['created_at', 'post_id', 'tag_id', 'updated_at']);
    const em = orm.em.fork();
    const post = em.create(Post, { title: 'hello' });
    post.tags.add(em.create(Tag, { name: 'news' }), em.create(Tag, { name: 'orm' }));
    await em.flush();

    const pivot = await rows(orm, PostTag, 'tag_id');
    expect(pivot).toHaveLength(2);
    for (const row of pivot) {
      if (db.name === 'sqlite') expect([row.created_at, row.updated_at]).toEqual([null, null]);
      else expect([recent(row.created_at), recent(row.updated_at)]).toEqual([true, true]);
    }
    // The entities the hooks saw got their timestamps as ever.
    const [stored] = await rows(orm, Post);
    expect(recent(stored!.created_at)).toBe(true);
  });

  test('a custom pivot entity created as an entity runs its hooks like any other (its metadata is rebuilt at discovery)', async () => {
    const { Tag, Post, PostTag } = model();
    orm = await db.init({ entities: [Tag, Post, PostTag], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    const em = orm.em.fork();
    const link = em.create(PostTag, { post: em.create(Post, { title: 'hello' }), tag: em.create(Tag, { name: 'news' }) }) as { createdAt?: Date; updatedAt?: Date };
    await em.flush();
    expect(link.createdAt).toBeInstanceOf(Date);
    expect(link.updatedAt).toBeInstanceOf(Date);
    const [row] = await rows(orm, PostTag, 'tag_id');
    expect(recent(row!.created_at)).toBe(true);
  });

  test('a pivot row removed and added again through the collection', async () => {
    const { Tag, Post, PostTag } = model();
    orm = await db.init({ entities: [Tag, Post, PostTag], extensions: [pluginSystem({ registry, global: ['timestamp', 'softDelete'] })] });
    const em = orm.em.fork();
    const post = em.create(Post, { title: 'hello' });
    const tag = em.create(Tag, { name: 'news' });
    post.tags.add(tag);
    await em.flush();
    post.tags.remove(tag);
    await em.flush();
    expect(await rows(orm, PostTag, 'tag_id')).toHaveLength(0);
    post.tags.add(tag);
    await em.flush();
    const [row] = await rows(orm, PostTag, 'tag_id');
    // Live: the soft-delete column of a row written past the hooks is NULL.
    expect(row!.deleted_at).toBeNull();
    expect(await orm.em.fork().count(PostTag, {})).toBe(1);
  });
});

describeEachDatabase('plugin columns in inheritance hierarchies', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  /** created_at and updated_at of the row with that id, from whichever table holds them. */
  async function stamps(orm: MikroORM, table: string, id: number): Promise<{ created: number; updated: number }> {
    const [row] = await sql(orm, `select created_at, updated_at from ${quote(orm, table)} where id = ?`, [id]);
    return { created: ms(row!.created_at), updated: ms(row!.updated_at) };
  }

  const tick = () => new Promise(resolve => setTimeout(resolve, db.name === 'mariadb' ? 1100 : 20));

  /** Insert, then an update of a leaf column only, then of a root column only: each moves updated_at; created_at stays. */
  async function insertAndUpdate(orm: MikroORM, Car: any, table: string) {
    const em = orm.em.fork();
    const car = em.create(Car, { brand: 'Fiat', doors: 3 }) as { id: number; doors: number; brand: string };
    await em.flush();
    const first = await stamps(orm, table, car.id);
    expect(recent(first.created)).toBe(true);
    expect(first.updated).toBe(first.created);

    await tick();
    car.doors = 5;
    await em.flush();
    const second = await stamps(orm, table, car.id);
    expect(second.created).toBe(first.created);
    expect(second.updated).toBeGreaterThan(first.updated);

    await tick();
    car.brand = 'Lancia';
    await em.flush();
    const third = await stamps(orm, table, car.id);
    expect(third.created).toBe(first.created);
    expect(third.updated).toBeGreaterThan(second.updated);

    const read = await orm.em.fork().findOneOrFail(Car, car.id);
    expect(read).toMatchObject({ brand: 'Lancia', doors: 5 });
  }

  test('table per type, abstract root, plugin on every entity: one pair of columns, in the root table', async () => {
    const Vehicle = defineEntity({ name: 'PcVehicle', abstract: true, inheritance: 'tpt', properties: { id: p.integer().primary(), brand: p.string() } });
    const Car = defineEntity({ name: 'PcCar', extends: Vehicle, properties: { doors: p.integer() } });
    orm = await db.init({ entities: [Vehicle, Car], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    expect(await columnsOf(orm, Vehicle)).toEqual(['brand', 'created_at', 'id', 'updated_at']);
    expect(await columnsOf(orm, Car)).toEqual(['doors', 'id']);
    await insertAndUpdate(orm, Car, tableOf(orm, Vehicle));
  });

  test('table per type, concrete root, plugin on every entity: the root table', async () => {
    const Vehicle = defineEntity({ name: 'PcVehicle', inheritance: 'tpt', properties: { id: p.integer().primary(), brand: p.string() } });
    const Car = defineEntity({ name: 'PcCar', extends: Vehicle, properties: { doors: p.integer() } });
    orm = await db.init({ entities: [Vehicle, Car], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    expect(await columnsOf(orm, Car)).toEqual(['doors', 'id']);
    await insertAndUpdate(orm, Car, tableOf(orm, Vehicle));
    // A plain Vehicle is stamped as well.
    const em = orm.em.fork();
    const bike = em.create(Vehicle, { brand: 'Bianchi' });
    await em.flush();
    expect(recent((await stamps(orm, tableOf(orm, Vehicle), bike.id)).created)).toBe(true);
  });

  test('table per type, plugin on the child only: the child table', async () => {
    const Vehicle = defineEntity({ name: 'PcVehicle', abstract: true, inheritance: 'tpt', properties: { id: p.integer().primary(), brand: p.string() } });
    const Car = usePlugins(defineEntity({ name: 'PcCar', extends: Vehicle, properties: { doors: p.integer() } }), ['timestamp']);
    orm = await db.init({ entities: [Vehicle, Car], extensions: [pluginSystem({ registry })] });
    expect(await columnsOf(orm, Vehicle)).toEqual(['brand', 'id']);
    expect(await columnsOf(orm, Car)).toEqual(['created_at', 'doors', 'id', 'updated_at']);
    await insertAndUpdate(orm, Car, tableOf(orm, Car));
  });

  test('single table, abstract root with a discriminator: the shared table', async () => {
    const Vehicle = defineEntity({
      name: 'PcVehicle',
      abstract: true,
      discriminatorColumn: 'kind',
      properties: { id: p.integer().primary(), kind: p.string(), brand: p.string() },
    });
    const Car = defineEntity({ name: 'PcCar', extends: Vehicle, discriminatorValue: 'car', properties: { doors: p.integer().nullable() } });
    const Van = defineEntity({ name: 'PcVan', extends: Vehicle, discriminatorValue: 'van', properties: { load: p.integer().nullable() } });
    orm = await db.init({ entities: [Vehicle, Car, Van], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    expect(await columnsOf(orm, Vehicle)).toEqual(['brand', 'created_at', 'doors', 'id', 'kind', 'load', 'updated_at']);
    await insertAndUpdate(orm, Car, tableOf(orm, Vehicle));
    const em = orm.em.fork();
    const van = em.create(Van, { brand: 'Iveco', load: 2 });
    await em.flush();
    expect(recent((await stamps(orm, tableOf(orm, Vehicle), van.id)).updated)).toBe(true);
  });

  test('single table declared with EntitySchema extends, three levels (properties named by their keys only): stamped at every level', async () => {
    class Item {
      id!: number;
      kind!: Opt<string>;
      name!: string;
    }
    class Folder extends Item {
      color?: string;
    }
    class SharedFolder extends Folder {
      owner?: string;
    }
    const ItemSchema = new EntitySchema<Item>({
      class: Item,
      discriminatorColumn: 'kind',
      discriminatorValue: 'item',
      properties: { id: { type: 'number', primary: true }, kind: { type: 'string' }, name: { type: 'string' } },
    });
    const FolderSchema = new EntitySchema<Folder, Item>({ class: Folder, extends: ItemSchema, discriminatorValue: 'folder', properties: { color: { type: 'string', nullable: true } } });
    const SharedSchema = new EntitySchema<SharedFolder, Folder>({ class: SharedFolder, extends: FolderSchema, discriminatorValue: 'shared', properties: { owner: { type: 'string', nullable: true } } });
    orm = await db.init({ entities: [ItemSchema, FolderSchema, SharedSchema], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    const em = orm.em.fork();
    const folder = em.create(Folder, { name: 'f', color: 'red' }) as Folder & { createdAt?: Date };
    em.create(Item, { name: 'i' });
    await em.flush();
    expect(folder.createdAt).toBeInstanceOf(Date);
    expect(await columnsOf(orm, Item)).toEqual(['color', 'created_at', 'id', 'kind', 'name', 'owner', 'updated_at']);
  });

  test('single table, concrete root, plugin on one child only', async () => {
    const Vehicle = defineEntity({
      name: 'PcVehicle',
      discriminatorColumn: 'kind',
      discriminatorValue: 'vehicle',
      properties: { id: p.integer().primary(), kind: p.string(), brand: p.string() },
    });
    const Car = usePlugins(
      defineEntity({ name: 'PcCar', extends: Vehicle, discriminatorValue: 'car', properties: { doors: p.integer().nullable() } }),
      ['timestamp'],
    );
    orm = await db.init({ entities: [Vehicle, Car], extensions: [pluginSystem({ registry })] });
    await insertAndUpdate(orm, Car, tableOf(orm, Vehicle));
    // A Vehicle (no plugin) is written through the same table; its timestamps come from the column default.
    const em = orm.em.fork();
    const bike = em.create(Vehicle, { brand: 'Bianchi' } as never) as { id: number };
    await em.flush();
    const [stored] = await sql(orm, `select created_at from ${quote(orm, tableOf(orm, Vehicle))} where id = ?`, [bike.id]);
    if (db.name === 'sqlite') expect(stored!.created_at).toBeNull();
    else expect(recent(stored!.created_at)).toBe(true);
  });
});

describe('plugin columns next to columns the entity already maps', () => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = (entities: unknown[], global: any[] = ['timestamp']) =>
    sqlite.init({ entities: entities as never, extensions: [pluginSystem({ registry, global })] }).then(o => (orm = o));

  test('a property named after the column (created_at) is reused: one column, stamped by the plugin', async () => {
    const Legacy = defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), name: p.string(), created_at: p.datetime().nullable() } });
    await init([Legacy]);
    expect(await columnsOf(orm!, Legacy)).toEqual(['created_at', 'id', 'name', 'updated_at']);
    const em = orm!.em.fork();
    const row = em.create(Legacy, { name: 'x' });
    await em.flush();
    expect(row.created_at).toBeInstanceOf(Date);
    expect(Object.keys(orm!.getMetadata().get(Legacy).properties)).not.toContain('createdAt');
  });

  test('a property of another name mapping created_at (fieldName) is reused', async () => {
    const Legacy = defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), created: p.datetime().fieldName('created_at') } });
    await init([Legacy]);
    expect(await columnsOf(orm!, Legacy)).toEqual(['created_at', 'id', 'updated_at']);
    const em = orm!.em.fork();
    const row = em.create(Legacy, {} as never);
    await em.flush();
    expect(row.created).toBeInstanceOf(Date);
  });

  test('a base class mapping created_at under another name is reused by its entities', async () => {
    abstract class PcBase {
      @PrimaryKey({ type: 'integer' }) id!: number;
      @Property({ type: 'datetime', fieldName: 'created_at', nullable: true }) made?: Date;
    }
    @Entity()
    class PcChild extends PcBase {
      @Property({ type: 'string' }) name!: string;
    }
    await init([PcChild, PcBase]);
    const em = orm!.em.fork();
    const row = em.create(PcChild, { name: 'x' });
    await em.flush();
    expect(row.made).toBeInstanceOf(Date);
    expect(await columnsOf(orm!, PcChild)).toEqual(['created_at', 'id', 'name', 'updated_at']);
  });

  test('a column of another type under another name is refused with PluginOptionsError naming the option', async () => {
    const Legacy = defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), created: p.string().fieldName('created_at') } });
    const error = await init([Legacy]).catch(e => e);
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'PcLegacy', plugin: 'timestamp', option: 'createdAt' });
    expect(error.message).toMatch(/created_at/);
    expect(error.message).toMatch(/columns: \{ createdAt/);
  });

  test('the declared property of the plugin name with another type is refused', async () => {
    const Legacy = defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), updatedAt: p.integer() } });
    await expect(init([Legacy])).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'PcLegacy', plugin: 'timestamp', option: 'updatedAt' });
  });

  test('the fix the error names works: the option pointing at the existing property, or another column', async () => {
    const A = usePlugins(
      defineEntity({ name: 'PcA', properties: { id: p.integer().primary(), stamp: p.string().fieldName('created_at') } }),
      [{ timestamp: { columns: { createdAt: 'created_on' } } }],
    );
    const B = usePlugins(
      defineEntity({ name: 'PcB', properties: { id: p.integer().primary(), stamp: p.string().fieldName('created_at') } }),
      [{ timestamp: { createdAt: false } }],
    );
    await init([A, B], []);
    expect(await columnsOf(orm!, A)).toEqual(['created_at', 'created_on', 'id', 'updated_at']);
    expect(await columnsOf(orm!, B)).toEqual(['created_at', 'id', 'updated_at']);
  });

  test('softDelete refuses deleted_at mapped by another property, naming field', async () => {
    const Legacy = usePlugins(
      defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), removed: p.datetime().nullable().fieldName('deleted_at') } }),
      ['softDelete'],
    );
    const error = await init([Legacy], []).catch(e => e);
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'PcLegacy', plugin: 'softDelete', option: 'field' });
    expect(error.message).toMatch(/field: 'removed'/);
    // …and with the option the message names, the existing column is the soft-delete column.
    await orm?.close();
    const Fixed = usePlugins(
      defineEntity({ name: 'PcLegacy', properties: { id: p.integer().primary(), removed: p.datetime().nullable().fieldName('deleted_at') } }),
      [{ softDelete: { field: 'removed' } }],
    );
    await init([Fixed], []);
    expect(await columnsOf(orm!, Fixed)).toEqual(['deleted_at', 'deletion_batch', 'id']);
  });
});

describeEachDatabase('a date property only its column type describes', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  // With reflect-metadata, `createdAt: Date | null` reflects as Object; MikroORM then takes the type from
  // the column type, and so must the plugin when it checks the property it reuses.
  const model = (columnType: string) =>
    new EntitySchema<{ id: number; createdAt: Date | null }>({
      name: 'PcReflected',
      properties: { id: { type: 'integer', primary: true }, createdAt: { type: 'object', columnType, nullable: true } },
    });

  test("type 'object' with a timestamp column type is the createdAt the plugin stamps", async () => {
    const Reflected = model('timestamp(3)');
    orm = await db.init({ entities: [Reflected], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    expect(await columnsOf(orm, Reflected)).toEqual(['created_at', 'id', 'updated_at']);
    const em = orm.em.fork();
    const row = em.create(Reflected, {} as never);
    await em.flush();
    expect(row.createdAt).toBeInstanceOf(Date);
    const [stored] = await rows(orm, Reflected);
    expect(recent(stored!.created_at)).toBe(true);
  });

  test("type 'object' with a JSON column type is still refused for createdAt", async () => {
    const error = await db.init({ entities: [model('json')], extensions: [pluginSystem({ registry, global: ['timestamp'] })] }).catch(e => e);
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'PcReflected', plugin: 'timestamp', option: 'createdAt' });
  });
});

describeEachDatabase('upserts with a raw conflict target', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  function model() {
    return defineEntity({ name: 'PcMember', properties: { id: p.integer().primary(), email: p.string().unique(), visits: p.integer() } });
  }

  test("onConflictAction 'ignore' with raw onConflictFields returns the stored row and leaves it alone", async () => {
    const Member = model();
    orm = await db.init({ entities: [Member], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    await orm.em.fork().insert(Member, { email: 'a@x', visits: 1 });
    const [before] = await rows(orm, Member);
    const member = await orm.em.fork().upsert(Member, { email: 'a@x', visits: 1 }, { onConflictAction: 'ignore', onConflictFields: raw('(email)') });
    expect(member.id).toBe(before!.id);
    const [after] = await rows(orm, Member);
    expect(after).toEqual(before);
    // A new row is inserted, with its timestamps (from the column default; NULL on SQLite, which has none).
    const fresh = await orm.em.fork().upsertMany(Member, [{ email: 'b@x', visits: 1 }], { onConflictAction: 'ignore', onConflictFields: raw('(email)') });
    expect(fresh).toHaveLength(1);
    const [, inserted] = await rows(orm, Member);
    expect(inserted!.email).toBe('b@x');
    if (db.name !== 'sqlite') expect(recent(inserted!.created_at)).toBe(true);
  });

  test('merge with raw onConflictFields: createdAt kept, updatedAt moved, the entity read back', async () => {
    const Member = model();
    orm = await db.init({ entities: [Member], extensions: [pluginSystem({ registry, global: ['timestamp'] })] });
    await orm.em.fork().insert(Member, { email: 'a@x', visits: 1, createdAt: new Date('2020-01-02T03:04:05Z'), updatedAt: new Date('2020-01-02T03:04:05Z') } as never);
    const member = await orm.em.fork().upsert(Member, { email: 'a@x', visits: 2 }, { onConflictFields: raw('(email)') });
    expect(member.visits).toBe(2);
    const [row] = await rows(orm, Member);
    expect(ms(row!.created_at)).toBe(Date.parse('2020-01-02T03:04:05Z'));
    expect(recent(row!.updated_at)).toBe(true);
  });
});

describe('plugin column options', () => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = (entities: unknown[]) => sqlite.init({ entities: entities as never, extensions: [pluginSystem({ registry })] }).then(o => (orm = o));
  const entity = (name: string, plugins: any[]) => usePlugins(defineEntity({ name, properties: { id: p.integer().primary(), title: p.string() } }), plugins);
  const metaOf = (e: unknown): EntityMetadata => orm!.getMetadata().get(e as never);

  test('columns renames, false leaves out; the hooks follow', async () => {
    const Renamed = entity('PcRenamed', [{ timestamp: { columns: { createdAt: 'made_on', updatedAt: 'changed_on' } } }, { softDelete: { columns: { deletedAt: 'gone_on', deletionBatch: 'gone_batch' } } }]);
    const Lean = entity('PcLean', [{ timestamp: { updatedAt: false } }, { softDelete: { batchField: false, index: false } }]);
    const Stamped = entity('PcStamped', [{ timestamp: { createdAt: false } }]);
    await init([Renamed, Lean, Stamped]);
    expect(await columnsOf(orm!, Renamed)).toEqual(['changed_on', 'gone_batch', 'gone_on', 'id', 'made_on', 'title']);
    expect(await columnsOf(orm!, Lean)).toEqual(['created_at', 'deleted_at', 'id', 'title']);
    expect(await columnsOf(orm!, Stamped)).toEqual(['id', 'title', 'updated_at']);
    expect(metaOf(Lean).properties.deletedAt.index).toBe(false);
    const ddl = await orm!.schema.getCreateSchemaSQL();
    expect(ddl).toMatch(/pc_renamed_gone_on_index/);
    expect(ddl).not.toMatch(/pc_lean_deleted_at_index/);

    const em = orm!.em.fork();
    const renamed = em.create(Renamed, { title: 'a' }) as any;
    const lean = em.create(Lean, { title: 'b' }) as any;
    const stamped = em.create(Stamped, { title: 'c' }) as any;
    await em.flush();
    expect(renamed.createdAt).toBeInstanceOf(Date);
    expect(lean.updatedAt).toBeUndefined();
    expect(stamped.createdAt).toBeUndefined();
    em.remove([renamed, lean]);
    await em.flush();
    const [gone] = await rows(orm!, Renamed);
    expect(typeof gone!.gone_batch).toBe('string');
    expect(gone!.gone_on).not.toBeNull();
    const [leanRow] = await rows(orm!, Lean);
    expect(leanRow!.deleted_at).not.toBeNull();
    expect(await orm!.em.fork().count(Lean, {})).toBe(0);
  });

  test.each([
    ['timestamp', { createdAt: null }, 'createdAt'],
    ['timestamp', { updatedAt: 5 }, 'updatedAt'],
    ['timestamp', { createdAt: true }, 'createdAt'],
    ['timestamp', { createdAt: 'stamp', updatedAt: 'stamp' }, 'updatedAt'],
    ['timestamp', { columns: 'created_on' }, 'columns'],
    ['timestamp', { columns: null }, 'columns'],
    ['timestamp', { columns: { createdAt: 7 } }, 'columns.createdAt'],
    ['timestamp', { columns: { createdAt: '' } }, 'columns.createdAt'],
    ['timestamp', { createdAt: false, columns: { createdAt: 'made_on' } }, 'columns.createdAt'],
    ['timestamp', { columns: { nope: 'x' } }, 'columns.nope'],
    ['softDelete', { batchField: null }, 'batchField'],
    ['softDelete', { batchField: 0 }, 'batchField'],
    ['softDelete', { batchField: true }, 'batchField'],
    ['softDelete', { batchField: 'deletedAt' }, 'batchField'],
    ['softDelete', { index: 'no' }, 'index'],
    ['softDelete', { index: null }, 'index'],
    ['softDelete', { columns: [] }, 'columns'],
    ['softDelete', { columns: { deletionBatch: 3 } }, 'columns.deletionBatch'],
    ['softDelete', { batchField: false, columns: { deletionBatch: 'b' } }, 'columns.deletionBatch'],
    ['softDelete', { columns: { deletedBy: 'who' } }, 'columns.deletedBy'],
  ])('%s %j fails start-up with PluginOptionsError on %s', async (plugin, options, option) => {
    const error = await init([entity('PcBad', [{ [plugin]: options }])]).catch(e => e);
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'PcBad', plugin, option });
  });
});
