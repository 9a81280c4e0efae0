import { Collection, MikroORM } from '@mikro-orm/sqlite';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DeleteRefusedError, hardDelete, pluginSystem, restore, runWithContext, withDeleted, withoutPlugins, withPlugins } from 'mikro-orm-plugins';

// Removing an author soft-deletes her books, and each book its chapters, in one deletion batch.
@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['books'], deletedBy: 'deletedBy' } }])
@Entity()
class Author {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => Book, mappedBy: 'author' }) books = new Collection<Book>(this);
  // Added by the plugin; declared so TypeScript knows them.
  declare deletedAt?: Date | null;
  declare deletionBatch?: string | null;
  declare deletedBy?: string | null;
}

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['chapters'] } }])
@Entity()
class Book {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => Author }) author!: Author;
  @OneToMany({ entity: () => Chapter, mappedBy: 'book' }) chapters = new Collection<Chapter>(this);
}

@withPlugins(['softDelete'])
@Entity()
class Chapter {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => Book }) book!: Book;
}

// Never deleted, not by em.remove, nativeDelete or hardDelete.
@withPlugins([{ softDelete: { policy: 'noDelete' } }])
@Entity()
class Invoice {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'integer' }) total!: number;
}

const orm = await MikroORM.init({ dbName: ':memory:', entities: [Author, Book, Chapter, Invoice], extensions: [pluginSystem()] });
await orm.schema.create();
const table = async (label: string) => {
  const rows = await orm.em
    .getConnection()
    .execute<{ title: string; batch: string | null }[]>('select title, deletion_batch as batch from book union all select title, deletion_batch from chapter');
  const batches = [...new Set(rows.map(r => r.batch).filter(b => b !== null))];
  console.log(label, rows.map(r => `${r.title}:${r.batch === null ? 'live' : `batch ${batches.indexOf(r.batch) + 1}`}`).join(' '));
};

const em = orm.em.fork();
const ann = em.create(Author, { name: 'Ann' });
const intro = em.create(Book, { title: 'Intro', author: ann });
const sequel = em.create(Book, { title: 'Sequel', author: ann });
em.create(Chapter, { title: 'one', book: intro });
em.create(Chapter, { title: 'two', book: sequel });
await em.flush();

// The sequel goes first, on its own: it and its chapter share a batch.
em.remove(sequel);
await em.flush();

// Then Ann, with nothing loaded: her live books and their chapters join her batch, deletedBy
// comes from the actor context, and every foreign key is kept.
const editor = orm.em.fork();
editor.remove(await editor.findOneOrFail(Author, { name: 'Ann' }));
await runWithContext({ actor: 'editor-7' }, () => editor.flush());
await table('after removing Ann:');

// A cascade restore brings back Ann's batch; the sequel, deleted before on its own, stays deleted.
const author = await editor.findOneOrFail(Author, { name: 'Ann' }, withDeleted());
console.log(`Ann was deleted by ${author.deletedBy}`);
await restore(editor, author, { cascade: true });
await editor.flush();
await table('after restoring Ann:');

// restore(em, Entity, where) finds the deleted rows itself; the flush saves them.
await restore(editor, Book, { title: 'Sequel' }, { cascade: true });
await editor.flush();
await table('after restoring the sequel:');

// hardDelete really deletes, with the rows of the cascade relations (soft-deleted ones too).
await hardDelete(editor, author);
console.log('books left:', await orm.em.fork().count(Book, {}, withDeleted()));

// noDelete refuses with a typed error, even `hard: true`; withoutPlugins is the way around it.
const invoice = em.create(Invoice, { total: 100 });
await em.flush();
try {
  await em.nativeDelete(Invoice, { id: invoice.id }, { hard: true });
} catch (error) {
  if (!(error instanceof DeleteRefusedError)) throw error;
  console.log(`refused: ${error.code}`);
}
await withoutPlugins(['softDelete'], () => em.remove(invoice).flush());
console.log('invoices left:', await orm.em.fork().count(Invoice, {}, withDeleted()));
await orm.close();
