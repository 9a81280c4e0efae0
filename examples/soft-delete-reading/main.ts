import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import { pluginSystem, softDeleteProperties, timestampProperties, usePlugins, withDeleted, withQueryOptions } from 'mikro-orm-plugins';

const Publisher = usePlugins(defineEntity({ name: 'Publisher', properties: { id: p.integer().primary(), name: p.string(), ...softDeleteProperties() } }), ['softDelete']);
const Author = usePlugins(defineEntity({ name: 'Author', properties: { id: p.integer().primary(), name: p.string(), ...softDeleteProperties() } }), ['softDelete']);

// A book whose author is soft-deleted is left out of reads; one whose publisher (NOT NULL) is, reads with `publisher: null`.
const Book = usePlugins(
  defineEntity({
    name: 'Book',
    properties: {
      id: p.integer().primary(),
      title: p.string(),
      author: () => p.manyToOne(Author).nullable(),
      publisher: () => p.manyToOne(Publisher),
      ...timestampProperties(),
      ...softDeleteProperties(),
    },
  }),
  ['timestamp', { softDelete: { deletedTargets: { author: 'hide' } } }],
);

const orm = await MikroORM.init({ dbName: ':memory:', entities: [Publisher, Author, Book], extensions: [pluginSystem()] });
await orm.schema.create();
const em = orm.em.fork();
const press = em.create(Publisher, { name: 'Press' });
const gonePress = em.create(Publisher, { name: 'Gone Press' });
const ann = em.create(Author, { name: 'Ann' });
const gus = em.create(Author, { name: 'Gus' });
em.create(Book, { title: 'Ann at Press', author: ann, publisher: press });
em.create(Book, { title: 'Gus at Press', author: gus, publisher: press });
em.create(Book, { title: 'Ann at Gone Press', author: ann, publisher: gonePress });
const draft = em.create(Book, { title: 'Draft', author: null, publisher: press });
await em.flush();
em.remove(gus).remove(gonePress).remove(draft);
await em.flush();

// Reads hide soft-deleted rows; `withDeleted` / `onlyDeleted` show them, per call.
const reader = orm.em.fork();
const books = await reader.find(Book, {}, { populate: ['publisher'], orderBy: { id: 'asc' } });
const everything = await reader.count(Book, {}, { withDeleted: true });
const trash = await reader.find(Book, {}, { onlyDeleted: true });
console.log(books.map(b => `${b.title} (${b.publisher?.name ?? 'no publisher'})`), everything, trash.map(b => b.title));

// This entity manager still holds the draft it soft-deleted: findOne answers null all the same.
console.log('draft:', await em.findOne(Book, draft.id), 'with deleted:', (await em.findOne(Book, draft.id, { withDeleted: true }))?.title);

// The QueryBuilder reads with the filters; update() and delete() run the plugins, as nativeUpdate/nativeDelete do.
const live = await em.createQueryBuilder(Book).getCount();
const all = await withDeleted(em.createQueryBuilder(Book)).getCount();
await em.createQueryBuilder(Book).update({ title: 'Ann at the Press' }).where({ title: 'Ann at Press' }).execute();
await em.createQueryBuilder(Book).delete().where({ title: 'Ann at the Press' }).execute();
await withQueryOptions(em.createQueryBuilder(Book).delete().where({ title: 'Draft' }), { hard: true, filters: false }).execute();
console.log(`builder: ${live} live of ${all}`, await orm.em.getConnection().execute('select title, updated_at > created_at as touched, deleted_at is not null as deleted from book'));
await orm.close();
