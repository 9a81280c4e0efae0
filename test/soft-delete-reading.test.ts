// Reading soft-deleted rows: every read path hides them, the identity map does not leak them, the
// withDeleted/onlyDeleted find options, and the rows whose relation points at a soft-deleted target
// (deletedTargets: null by default, hide on request), for nullable and NOT NULL foreign keys.
import { Collection, NotFoundError, wrap, type MikroORM, type Ref } from '@mikro-orm/core';
import { Entity, ManyToMany, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, describe, expect, test } from 'vitest';
import {
  ConflictingOptionsError,
  PluginOptionsError,
  PluginRegistry,
  SoftDeletePlugin,
  onlyDeleted,
  pluginSystem,
  withDeleted,
  withPlugins,
  withoutPlugins,
} from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { columnOf, rowById } from './support/fixtures-sql.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@withPlugins(['softDelete'])
@Entity()
class SrPublisher {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
}

@withPlugins(['softDelete'])
@Entity()
class SrAuthor {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => SrBook, mappedBy: 'author' }) books = new Collection<SrBook>(this);
  deletedAt?: Date | null;
}

@withPlugins(['softDelete'])
@Entity()
class SrTag {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
}

/** Default `deletedTargets`: a nullable author and a NOT NULL publisher. */
@withPlugins(['softDelete'])
@Entity()
class SrBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => SrAuthor, nullable: true }) author?: SrAuthor | null;
  @ManyToOne({ entity: () => SrPublisher }) publisher!: SrPublisher;
  @ManyToMany({ entity: () => SrTag }) tags = new Collection<SrTag>(this);
  deletedAt?: Date | null;
}

/** No plugin of its own; a NOT NULL key to a soft-deletable book. */
@Entity()
class SrChapter {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne({ entity: () => SrBook, ref: true }) book!: Ref<SrBook>;
}

/** `hide` for both relations. */
@withPlugins([{ softDelete: { deletedTargets: { author: 'hide', publisher: 'hide' } } }])
@Entity()
class SrHiddenBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => SrAuthor, nullable: true }) author?: SrAuthor | null;
  @ManyToOne({ entity: () => SrPublisher }) publisher!: SrPublisher;
  deletedAt?: Date | null;
}

/** No plugins at all. */
@Entity()
class SrPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

/** A target whose referrers are hidden by default (`referrers: 'hide'`). */
@withPlugins([{ softDelete: { referrers: 'hide' } }])
@Entity()
class SrVault {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
}

/** No plugin of its own: follows the vault's `referrers`. */
@Entity()
class SrNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne({ entity: () => SrVault }) vault!: SrVault;
}

/** Its own `deletedTargets` wins over the vault's `referrers`. */
@withPlugins([{ softDelete: { deletedTargets: { vault: 'null' } } }])
@Entity()
class SrMemo {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne({ entity: () => SrVault }) vault!: SrVault;
  deletedAt?: Date | null;
}

const entities = [SrPublisher, SrAuthor, SrTag, SrBook, SrChapter, SrHiddenBook, SrPlain, SrVault, SrNote, SrMemo];
const gone = new Date('2020-01-02T03:04:05.000Z');
const strategies = ['select-in', 'joined'] as const;

/** Ids of the rows `library` writes. */
interface Library {
  pressLive: number;
  pressGone: number;
  ann: number;
  gus: number;
  kept: number;
  dropped: number;
  /** Books: live with tags, by Gus (deleted author), without author, by Gone Press (deleted publisher), deleted. */
  live: number;
  ofGus: number;
  noAuthor: number;
  ofGonePress: number;
  deleted: number;
}

/** Soft-deleted rows are written deleted (their deletedAt set), so every read below starts from the database. */
async function library(orm: MikroORM): Promise<Library> {
  const em = orm.em.fork();
  const pressLive = em.create(SrPublisher, { name: 'Live Press' });
  const pressGone = em.create(SrPublisher, { name: 'Gone Press', deletedAt: gone });
  const ann = em.create(SrAuthor, { name: 'Ann' });
  const gus = em.create(SrAuthor, { name: 'Gus', deletedAt: gone });
  const kept = em.create(SrTag, { name: 'kept' });
  const dropped = em.create(SrTag, { name: 'dropped', deletedAt: gone });
  const live = em.create(SrBook, { title: 'live', author: ann, publisher: pressLive, tags: [kept, dropped] });
  const ofGus = em.create(SrBook, { title: 'of Gus', author: gus, publisher: pressLive });
  const noAuthor = em.create(SrBook, { title: 'no author', author: null, publisher: pressLive });
  const ofGonePress = em.create(SrBook, { title: 'of Gone Press', author: ann, publisher: pressGone });
  const deleted = em.create(SrBook, { title: 'deleted', author: ann, publisher: pressLive, deletedAt: gone });
  em.create(SrChapter, { name: 'of live', book: live });
  em.create(SrChapter, { name: 'of deleted', book: deleted });
  em.create(SrHiddenBook, { title: 'live', author: ann, publisher: pressLive });
  em.create(SrHiddenBook, { title: 'of Gus', author: gus, publisher: pressLive });
  em.create(SrHiddenBook, { title: 'no author', author: null, publisher: pressLive });
  em.create(SrHiddenBook, { title: 'of Gone Press', author: ann, publisher: pressGone });
  em.create(SrPlain, { name: 'plain' });
  await em.flush();
  const id = (e: { id: number }) => e.id;
  return {
    pressLive: id(pressLive),
    pressGone: id(pressGone),
    ann: id(ann),
    gus: id(gus),
    kept: id(kept),
    dropped: id(dropped),
    live: id(live),
    ofGus: id(ofGus),
    noAuthor: id(noAuthor),
    ofGonePress: id(ofGonePress),
    deleted: id(deleted),
  };
}

const titles = (rows: readonly { title: string }[]) => rows.map(r => r.title).sort();
const names = (rows: readonly { name: string }[]) => rows.map(r => r.name).sort();
const LIVE_BOOKS = ['live', 'no author', 'of Gone Press', 'of Gus'];

describeEachDatabase('soft delete: reading', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));

  describe('reads hide soft-deleted rows', () => {
    test('find, findOne, findOneOrFail, count, findAndCount, findAll and findByCursor', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      expect(titles(await em.find(SrBook, {}))).toEqual(LIVE_BOOKS);
      expect(await em.findOne(SrBook, ids.deleted)).toBeNull();
      expect(await em.findOne(SrBook, { title: 'deleted' })).toBeNull();
      await expect(em.findOneOrFail(SrBook, ids.deleted)).rejects.toBeInstanceOf(NotFoundError);
      expect(await em.count(SrBook)).toBe(4);
      const [rows, total] = await em.findAndCount(SrBook, {});
      expect([titles(rows), total]).toEqual([LIVE_BOOKS, 4]);
      expect(titles(await em.findAll(SrBook))).toEqual(LIVE_BOOKS);
      const cursor = await em.findByCursor(SrBook, { first: 10, orderBy: { id: 'asc' } });
      expect([titles(cursor.items), cursor.totalCount]).toEqual([LIVE_BOOKS, 4]);
    });

    test('populate of a one-to-many collection, select-in and joined', async () => {
      const o = await init();
      const ids = await library(o);
      for (const strategy of strategies) {
        const [ann] = await o.em.fork().find(SrAuthor, { id: ids.ann }, { populate: ['books'], strategy });
        expect(titles(ann!.books.getItems())).toEqual(['live', 'of Gone Press']);
        // The soft-deleted author is not a root row either.
        expect(await o.em.fork().find(SrAuthor, { id: ids.gus }, { populate: ['books'], strategy })).toEqual([]);
      }
    });

    test('populate of a many-to-many collection, select-in and joined', async () => {
      const o = await init();
      const ids = await library(o);
      for (const strategy of strategies) {
        const book = await o.em.fork().findOneOrFail(SrBook, ids.live, { populate: ['tags'], strategy });
        expect(names(book.tags.getItems())).toEqual(['kept']);
      }
    });

    test('collection init, loadCount and matching', async () => {
      const o = await init();
      const ids = await library(o);
      const ann = await o.em.fork().findOneOrFail(SrAuthor, ids.ann);
      expect(await ann.books.loadCount()).toBe(2);
      expect(titles(await ann.books.matching({ where: {} }))).toEqual(['live', 'of Gone Press']);
      await ann.books.init();
      expect(titles(ann.books.getItems())).toEqual(['live', 'of Gone Press']);
      // The withDeleted() helper is a filters option, which collections take too.
      const again = await o.em.fork().findOneOrFail(SrAuthor, ids.ann);
      await again.books.init(withDeleted());
      expect(titles(again.books.getItems())).toEqual(['deleted', 'live', 'of Gone Press']);
      const book = await o.em.fork().findOneOrFail(SrBook, ids.live);
      await book.tags.init();
      expect(names(book.tags.getItems())).toEqual(['kept']);
    });

    test('Reference.load and wrap(reference).init() answer null for a soft-deleted row', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      expect(await em.getReference(SrBook, ids.deleted, { wrapped: true }).load()).toBeNull();
      expect(await wrap(em.getReference(SrBook, ids.deleted)).init()).toBeNull();
      // A chapter's reference to its soft-deleted book loads as nothing.
      const chapter = await em.findOneOrFail(SrChapter, { name: 'of deleted' }, withDeleted());
      expect(await chapter.book.load()).toBeNull();
      expect((await o.em.fork().getReference(SrBook, ids.live, { wrapped: true }).load())?.title).toBe('live');
    });

    test('em.refresh answers null for a row soft-deleted since it was loaded', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      const book = await em.findOneOrFail(SrBook, ids.live);
      await o.em.fork().nativeDelete(SrBook, { id: ids.live });
      expect(await em.refresh(book)).toBeNull();
      await expect(em.refreshOrFail(book)).rejects.toBeInstanceOf(NotFoundError);
      expect((await em.refresh(book, { withDeleted: true }))?.deletedAt).toBeInstanceOf(Date);
    });

    test('em.stream', async () => {
      const o = await init();
      await library(o);
      const seen: string[] = [];
      for await (const book of o.em.fork().stream(SrBook)) seen.push(book.title);
      expect(seen.sort()).toEqual(LIVE_BOOKS);
    });
  });

  describe('the identity map does not return a soft-deleted entity', () => {
    /** Ann's live book, loaded and then soft-deleted (em.remove + flush) in `em`. */
    async function deletedHere(o: MikroORM) {
      const ids = await library(o);
      const em = o.em.fork();
      const book = await em.findOneOrFail(SrBook, ids.live);
      em.remove(book);
      await em.flush();
      expect(book.deletedAt).toBeInstanceOf(Date);
      return { em, book, id: ids.live };
    }

    test('findOne, findOneOrFail and wrap(reference).init() by primary key: null / NotFoundError', async () => {
      const o = await init();
      const { em, id } = await deletedHere(o);
      expect(await em.findOne(SrBook, id)).toBeNull();
      expect(await em.findOne(SrBook, { id })).toBeNull();
      await expect(em.findOneOrFail(SrBook, id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await wrap(em.getReference(SrBook, id)).init()).toBeNull();
      expect(await em.find(SrBook, { id })).toEqual([]);
    });

    test('a call that lifts the filter gets it: withDeleted, filters: false, filters: { softDelete: false }, withoutPlugins, plugin disabled', async () => {
      const o = await init();
      const { em, book, id } = await deletedHere(o);
      expect(await em.findOne(SrBook, id, { withDeleted: true })).toBe(book);
      expect(await em.findOne(SrBook, id, withDeleted())).toBe(book);
      expect(await em.findOne(SrBook, id, { filters: false })).toBe(book);
      expect(await em.findOne(SrBook, id, { filters: { softDelete: false } })).toBe(book);
      expect(await em.findOneOrFail(SrBook, id, { withDeleted: true })).toBe(book);
      expect(await withoutPlugins(['softDelete'], () => em.findOne(SrBook, id))).toBe(book);
      registry.disable('softDelete');
      try {
        expect(await em.findOne(SrBook, id)).toBe(book);
      } finally {
        registry.enable('softDelete');
      }
      expect(await em.findOne(SrBook, id)).toBeNull();
      expect(await em.findOne(SrBook, id, { onlyDeleted: true })).toBe(book);
    });

    test('an unflushed em.remove: the automatic flush soft-deletes first; with flushMode commit the row is still live', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      em.remove(await em.findOneOrFail(SrBook, ids.live));
      expect(await em.findOne(SrBook, ids.live)).toBeNull();
      expect((await rowById(o, SrBook, ids.live))!.deleted_at).not.toBeNull();

      const committing = o.em.fork({ flushMode: 'commit' });
      const book = await committing.findOneOrFail(SrBook, ids.noAuthor);
      committing.remove(book);
      expect(await committing.findOne(SrBook, ids.noAuthor)).toBe(book);
      await committing.flush();
      expect(await committing.findOne(SrBook, ids.noAuthor)).toBeNull();
    });

    test('an entity without softDelete comes from the identity map as before', async () => {
      const o = await init();
      await library(o);
      const em = o.em.fork();
      const plain = await em.findOneOrFail(SrPlain, { name: 'plain' });
      expect(await em.findOne(SrPlain, plain.id)).toBe(plain);
    });
  });

  describe('withDeleted and onlyDeleted find options', () => {
    test('on find, findOne, findOneOrFail, findAll, count, findAndCount, findByCursor, stream and countBy', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      const all = [...LIVE_BOOKS, 'deleted'].sort();
      expect(titles(await em.find(SrBook, {}, { withDeleted: true }))).toEqual(all);
      expect(titles(await em.find(SrBook, {}, { onlyDeleted: true }))).toEqual(['deleted']);
      expect((await o.em.fork().findOne(SrBook, ids.deleted, { withDeleted: true }))?.title).toBe('deleted');
      expect(await o.em.fork().findOne(SrBook, ids.live, { onlyDeleted: true })).toBeNull();
      expect((await o.em.fork().findOneOrFail(SrBook, { title: 'deleted' }, { onlyDeleted: true })).id).toBe(ids.deleted);
      expect(titles(await em.findAll(SrBook, { onlyDeleted: true }))).toEqual(['deleted']);
      expect(await em.count(SrBook, {}, { withDeleted: true })).toBe(5);
      expect(await em.count(SrBook, {}, { onlyDeleted: true })).toBe(1);
      const [rows, total] = await em.findAndCount(SrBook, {}, { withDeleted: true });
      expect([titles(rows), total]).toEqual([all, 5]);
      const cursor = await em.findByCursor(SrBook, { first: 10, orderBy: { id: 'asc' }, onlyDeleted: true });
      expect([titles(cursor.items), cursor.totalCount]).toEqual([['deleted'], 1]);
      const streamed: string[] = [];
      for await (const book of em.stream(SrBook, { withDeleted: true })) streamed.push(book.title);
      expect(streamed.sort()).toEqual(all);
      const byPublisher = (counts: Record<string, number>) => counts[String(ids.pressLive)];
      expect(byPublisher(await em.countBy(SrBook, 'publisher'))).toBe(3);
      expect(byPublisher(await em.countBy(SrBook, 'publisher', { withDeleted: true }))).toBe(4);
      expect(byPublisher(await em.countBy(SrBook, 'publisher', { onlyDeleted: true }))).toBe(1);
      // The helpers still work, and false is an ordinary read.
      expect(await em.count(SrBook, {}, onlyDeleted())).toBe(1);
      expect(await em.count(SrBook, {}, { withDeleted: false, onlyDeleted: false })).toBe(4);
    });

    test('asking for both, or onlyDeleted with filters: false, throws ConflictingOptionsError', async () => {
      const o = await init();
      await library(o);
      const em = o.em.fork();
      await expect(em.find(SrBook, {}, { withDeleted: true, onlyDeleted: true })).rejects.toBeInstanceOf(ConflictingOptionsError);
      await expect(em.count(SrBook, {}, { withDeleted: true, onlyDeleted: true })).rejects.toMatchObject({
        code: 'MOP_CONFLICTING_OPTIONS',
        entity: 'SrBook',
        plugin: 'softDelete',
      });
      await expect(em.findOne(SrBook, 1, { onlyDeleted: true, filters: false })).rejects.toMatchObject({ code: 'MOP_CONFLICTING_OPTIONS', option: 'onlyDeleted' });
    });
  });

  describe('relations whose target is soft-deleted', () => {
    test('default, nullable key: the row stays and the relation is null (find, findOne, count, populate select-in and joined)', async () => {
      const o = await init();
      const ids = await library(o);
      const book = await o.em.fork().findOneOrFail(SrBook, ids.ofGus);
      expect(book.author).toBeNull();
      expect(await o.em.fork().count(SrBook, { title: 'of Gus' })).toBe(1);
      for (const strategy of strategies) {
        const rows = await o.em.fork().find(SrBook, {}, { populate: ['author'], strategy, orderBy: { id: 'asc' } });
        expect(rows.map(b => [b.title, b.author?.name ?? null])).toEqual([
          ['live', 'Ann'],
          ['of Gus', null],
          ['no author', null],
          ['of Gone Press', 'Ann'],
        ]);
      }
    });

    test('default, NOT NULL key: children of a soft-deleted parent stay, with the relation null; for owners with and without softDelete', async () => {
      const o = await init();
      const ids = await library(o);
      // The book's publisher (NOT NULL) is soft-deleted.
      const book = await o.em.fork().findOneOrFail(SrBook, ids.ofGonePress);
      expect(book.publisher).toBeNull();
      expect(titles(await o.em.fork().find(SrBook, {}))).toEqual(LIVE_BOOKS);
      expect(await o.em.fork().count(SrBook)).toBe(4);
      for (const strategy of strategies) {
        const rows = await o.em.fork().find(SrBook, {}, { populate: ['publisher'], strategy, orderBy: { id: 'asc' } });
        expect(rows.map(b => [b.title, b.publisher?.name ?? null])).toEqual([
          ['live', 'Live Press'],
          ['of Gus', 'Live Press'],
          ['no author', 'Live Press'],
          ['of Gone Press', null],
        ]);
      }
      // A join type set in populateHints wins: an INNER JOIN leaves the row out again.
      const inner = await o.em.fork().find(SrBook, {}, { populate: ['publisher'], strategy: 'joined', populateHints: { publisher: { joinType: 'inner join' } } });
      expect(titles(inner)).toEqual(['live', 'no author', 'of Gus']);
      // A chapter (no softDelete) whose book (NOT NULL key) is soft-deleted.
      expect(names(await o.em.fork().find(SrChapter, {}))).toEqual(['of deleted', 'of live']);
      expect(await o.em.fork().count(SrChapter)).toBe(2);
      const chapter = await o.em.fork().findOneOrFail(SrChapter, { name: 'of deleted' });
      expect(chapter.book).toBeNull();
      for (const strategy of strategies) {
        const rows = await o.em.fork().find(SrChapter, {}, { populate: ['book'], strategy, orderBy: { id: 'asc' } });
        expect(rows.map(c => [c.name, c.book?.$.title ?? null])).toEqual([
          ['of live', 'live'],
          ['of deleted', null],
        ]);
      }
    });

    test('hide: rows whose target is soft-deleted are left out, rows with no target stay (nullable and NOT NULL keys)', async () => {
      const o = await init();
      await library(o);
      expect(titles(await o.em.fork().find(SrHiddenBook, {}))).toEqual(['live', 'no author']);
      expect(await o.em.fork().count(SrHiddenBook)).toBe(2);
      expect(await o.em.fork().findOne(SrHiddenBook, { title: 'of Gus' })).toBeNull();
      expect(await o.em.fork().findOne(SrHiddenBook, { title: 'of Gone Press' })).toBeNull();
      for (const strategy of strategies) {
        const rows = await o.em.fork().find(SrHiddenBook, {}, { populate: ['author', 'publisher'], strategy, orderBy: { id: 'asc' } });
        expect(rows.map(b => [b.title, b.author?.name ?? null, b.publisher.name])).toEqual([
          ['live', 'Ann', 'Live Press'],
          ['no author', null, 'Live Press'],
        ]);
      }
    });

    test("referrers: 'hide' on the target hides the rows of owners that do not choose (owners without softDelete too); an owner's deletedTargets wins", async () => {
      const o = await init();
      const em = o.em.fork();
      const open = em.create(SrVault, { name: 'open' });
      const closed = em.create(SrVault, { name: 'closed', deletedAt: gone });
      for (const vault of [open, closed]) {
        em.create(SrNote, { name: `in ${vault.name}`, vault });
        em.create(SrMemo, { name: `in ${vault.name}`, vault });
      }
      await em.flush();
      expect(names(await o.em.fork().find(SrNote, {}))).toEqual(['in open']);
      expect(await o.em.fork().count(SrNote)).toBe(1);
      for (const strategy of strategies) {
        const notes = await o.em.fork().find(SrNote, {}, { populate: ['vault'], strategy });
        expect(notes.map(n => [n.name, n.vault.name])).toEqual([['in open', 'open']]);
        const memos = await o.em.fork().find(SrMemo, {}, { populate: ['vault'], strategy, orderBy: { id: 'asc' } });
        expect(memos.map(m => [m.name, m.vault?.name ?? null])).toEqual([
          ['in open', 'open'],
          ['in closed', null],
        ]);
      }
      expect(names(await o.em.fork().find(SrNote, {}, withDeleted()))).toEqual(['in closed', 'in open']);
    });

    test('a referrers value other than null or hide fails at start-up with PluginOptionsError', async () => {
      @withPlugins([{ softDelete: { referrers: 'drop' as never } }])
      @Entity()
      class SrBadReferrers {
        @PrimaryKey({ type: 'integer' }) id!: number;
      }
      const error = await db.init({ entities: [SrBadReferrers], extensions: [pluginSystem({ registry })] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginOptionsError);
      expect(error).toMatchObject({ entity: 'SrBadReferrers', plugin: 'softDelete', option: 'referrers' });
    });

    test('withDeleted shows every row with its target, in both modes', async () => {
      const o = await init();
      await library(o);
      const expected = [
        ['live', 'Ann', 'Live Press'],
        ['of Gus', 'Gus', 'Live Press'],
        ['no author', null, 'Live Press'],
        ['of Gone Press', 'Ann', 'Gone Press'],
      ];
      const shown = (rows: readonly (SrBook | SrHiddenBook)[]) => rows.map(b => [b.title, b.author?.name ?? null, b.publisher.name]);
      const options = { populate: ['author', 'publisher'], withDeleted: true, orderBy: { id: 'asc' } } as const;
      expect(shown(await o.em.fork().find(SrBook, { title: { $ne: 'deleted' } }, options))).toEqual(expected);
      expect(shown(await o.em.fork().find(SrHiddenBook, {}, options))).toEqual(expected);
      expect(await o.em.fork().count(SrHiddenBook, {}, { withDeleted: true })).toBe(4);
    });

    test('a row read with its relation null keeps its foreign key when changed and flushed (nullable and NOT NULL)', async () => {
      const o = await init();
      const ids = await library(o);
      const em = o.em.fork();
      const ofGus = await em.findOneOrFail(SrBook, ids.ofGus);
      const ofGonePress = await em.findOneOrFail(SrBook, ids.ofGonePress);
      expect([ofGus.author, ofGonePress.publisher]).toEqual([null, null]);
      ofGus.title = 'of Gus, renamed';
      ofGonePress.title = 'of Gone Press, renamed';
      await em.flush();
      expect(Number((await rowById(o, SrBook, ids.ofGus))![columnOf(o, SrBook, 'author')])).toBe(ids.gus);
      expect(Number((await rowById(o, SrBook, ids.ofGonePress))![columnOf(o, SrBook, 'publisher')])).toBe(ids.pressGone);
      expect((await rowById(o, SrBook, ids.ofGus))!.title).toBe('of Gus, renamed');
    });

    test('deletedTargets naming a missing property or a collection fails at start-up with PluginOptionsError', async () => {
      @withPlugins([{ softDelete: { deletedTargets: { writer: 'hide' } } }])
      @Entity({ tableName: 'sr_bad_name' })
      class SrBadName {
        @PrimaryKey({ type: 'integer' }) id!: number;
        @ManyToOne({ entity: () => SrAuthor, nullable: true }) author?: SrAuthor | null;
      }
      @withPlugins([{ softDelete: { deletedTargets: { books: 'null' } } }])
      @Entity({ tableName: 'sr_bad_kind' })
      class SrBadKind {
        @PrimaryKey({ type: 'integer' }) id!: number;
        @ManyToMany({ entity: () => SrTag }) books = new Collection<SrTag>(this);
      }
      for (const [bad, option] of [
        [SrBadName, 'deletedTargets.writer'],
        [SrBadKind, 'deletedTargets.books'],
      ] as const) {
        const failed = db.init({ entities: [...entities, bad], extensions: [pluginSystem({ registry })] });
        await expect(failed).rejects.toBeInstanceOf(PluginOptionsError);
        await expect(failed).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: bad.name, plugin: 'softDelete', option });
      }
    });
  });
});
