import { Cascade, Collection, NotFoundError, type MikroORM } from '@mikro-orm/core';
import { AfterDelete, BeforeDelete, Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationPlugin,
  hardDelete,
  hook,
  onlyDeleted,
  plugin,
  pluginSystem,
  restore,
  withDeleted,
  withPlugins,
  withoutPlugins,
} from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { columnOf, columnsOf, dumpTable, queryLog, rowById, statements, tableOf, type Row } from './support/fixtures-sql.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    sdEvents: Record<string, never>;
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });

// ---------------------------------------------------------------------------------------------
// Records the soft-delete events (and afterDelete) with the entity and its deletedAt at that moment.

interface Seen {
  event: string;
  entity: object;
  deletedAt: unknown;
}
const seen: Seen[] = [];
const userHooks: string[] = [];

@plugin({ name: 'sdEvents', registry })
class SoftDeleteEventsPlugin {
  @hook('beforeSoftDelete') beforeSoftDelete(e: { deletedAt?: unknown }) {
    seen.push({ event: 'beforeSoftDelete', entity: e, deletedAt: e.deletedAt });
  }
  @hook('afterSoftDelete') afterSoftDelete(e: { deletedAt?: unknown }) {
    seen.push({ event: 'afterSoftDelete', entity: e, deletedAt: e.deletedAt });
  }
  @hook('beforeRestore') beforeRestore(e: { deletedAt?: unknown }) {
    seen.push({ event: 'beforeRestore', entity: e, deletedAt: e.deletedAt });
  }
  @hook('afterRestore') afterRestore(e: { deletedAt?: unknown }) {
    seen.push({ event: 'afterRestore', entity: e, deletedAt: e.deletedAt });
  }
  @hook('afterDelete') afterDelete(e: { deletedAt?: unknown }) {
    seen.push({ event: 'afterDelete', entity: e, deletedAt: e.deletedAt });
  }
}
void SoftDeleteEventsPlugin;

// ---------------------------------------------------------------------------------------------

@withPlugins(['softDelete', 'sdEvents'])
@Entity()
class SdAuthor {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  /** Plain children, nullable FK, no cascade. */
  @OneToMany({ entity: () => SdBook, mappedBy: 'author' }) books = new Collection<SdBook>(this);
  /** Soft-deletable children removed with their author. */
  @OneToMany({ entity: () => SdDraft, mappedBy: 'author', cascade: [Cascade.PERSIST, Cascade.REMOVE] }) drafts = new Collection<SdDraft>(this);
  /** Plain children with a NOT NULL FK. */
  @OneToMany({ entity: () => SdReview, mappedBy: 'author' }) reviews = new Collection<SdReview>(this);
  deletedAt?: Date | null;

  @BeforeDelete() userBeforeDelete() {
    userHooks.push(`beforeDelete:${this.name}`);
  }
  @AfterDelete() userAfterDelete() {
    userHooks.push(`afterDelete:${this.name}`);
  }
}

@Entity()
class SdBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => SdAuthor, nullable: true }) author?: SdAuthor | null;
}

@withPlugins(['softDelete'])
@Entity()
class SdDraft {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => SdAuthor, nullable: true }) author?: SdAuthor | null;
  deletedAt?: Date | null;
}

@Entity()
class SdReview {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) text!: string;
  @ManyToOne({ entity: () => SdAuthor }) author!: SdAuthor;
}

/** Custom field name. */
@withPlugins([{ softDelete: { field: 'removedAt' } }])
@Entity()
class SdMemo {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) text!: string;
  removedAt?: Date | null;
}

/** Declares deletedAt itself, on its own column. */
@withPlugins(['softDelete'])
@Entity()
class SdOwnColumn {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  @Property({ type: 'datetime', nullable: true, fieldName: 'gone_at' }) deletedAt?: Date | null;
}

const entities = [SdAuthor, SdBook, SdDraft, SdReview, SdMemo, SdOwnColumn];

describeEachDatabase('soft delete plugin', db => {
  let orm: MikroORM | undefined;
  beforeEach(() => {
    seen.length = 0;
    userHooks.length = 0;
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async (extra: object = {}) => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })], ...extra }));

  /** Soft-deletes one author in its own entity manager; returns the raw row afterwards. */
  async function softDeleteAuthor(orm: MikroORM, id: number): Promise<Row> {
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(SdAuthor, id));
    await em.flush();
    return (await rowById(orm, SdAuthor, id))!;
  }

  /** Two authors, one soft-deleted: returns their ids. */
  async function liveAndDeleted(orm: MikroORM) {
    const em = orm.em.fork();
    const live = em.create(SdAuthor, { name: 'live' });
    const gone = em.create(SdAuthor, { name: 'gone' });
    await em.flush();
    await softDeleteAuthor(orm, gone.id);
    return { liveId: live.id, goneId: gone.id };
  }

  describe('columns', () => {
    test('deletedAt is added as a nullable column when the entity lacks it', async () => {
      const orm = await init();
      expect(await columnsOf(orm, SdAuthor)).toEqual(['deleted_at', 'deletion_batch', 'id', 'name']);
      expect(orm.getMetadata().get(SdAuthor).properties.deletedAt!.nullable).toBe(true);
      expect(await columnsOf(orm, SdBook)).not.toContain('deleted_at');
    });

    test('a custom field (removedAt) gets its own column and no deleted_at', async () => {
      const orm = await init();
      expect(await columnsOf(orm, SdMemo)).toEqual(['deletion_batch', 'id', 'removed_at', 'text']);
    });

    test('an entity that declares deletedAt keeps its own column', async () => {
      const orm = await init();
      expect(await columnsOf(orm, SdOwnColumn)).toEqual(['deletion_batch', 'gone_at', 'id', 'label']);
    });
  });

  describe('remove + flush', () => {
    test('sets deletedAt and the row stays: no DELETE is sent', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'a' });
      await em.flush();
      expect((await rowById(orm, SdAuthor, author.id))!.deleted_at).toBeNull();

      log.clear();
      const before = Date.now();
      em.remove(author);
      await em.flush();
      const table = tableOf(orm, SdAuthor);
      expect(statements(log.queries, 'delete', table)).toHaveLength(0);
      expect(statements(log.queries, 'update', table)).toHaveLength(1);
      const raw = await rowById(orm, SdAuthor, author.id);
      expect(raw).toBeDefined();
      expect(raw!.deleted_at).not.toBeNull();
      expect(raw!.name).toBe('a');
      const stored = await orm.em.fork().findOneOrFail(SdAuthor, author.id, withDeleted());
      expect(stored.deletedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    });

    test('with a custom field, sets removedAt and the row stays', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const memo = em.create(SdMemo, { text: 'm' });
      await em.flush();
      em.remove(memo);
      await em.flush();
      const raw = await rowById(orm, SdMemo, memo.id);
      expect(raw).toBeDefined();
      expect(raw!.removed_at).not.toBeNull();
      expect(await orm.em.fork().find(SdMemo, {})).toEqual([]);
      expect(await orm.em.fork().count(SdMemo, {}, withDeleted())).toBe(1);
    });

    test('with a declared deletedAt on its own column, sets that column', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const row = em.create(SdOwnColumn, { label: 'x' });
      await em.flush();
      em.remove(row);
      await em.flush();
      expect((await rowById(orm, SdOwnColumn, row.id))!.gone_at).not.toBeNull();
      expect(await orm.em.fork().find(SdOwnColumn, {})).toEqual([]);
    });

    test('a second remove + flush of an already soft-deleted entity does not change deletedAt', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'twice' });
      await em.flush();
      const first = await softDeleteAuthor(orm, author.id);
      seen.length = 0;
      log.clear();

      // In a fresh entity manager…
      const em2 = orm.em.fork();
      em2.remove(await em2.findOneOrFail(SdAuthor, author.id, withDeleted()));
      await em2.flush();
      // …and again in the same one.
      const again = await em2.findOneOrFail(SdAuthor, author.id, withDeleted());
      em2.remove(again);
      await em2.flush();

      const table = tableOf(orm, SdAuthor);
      expect(statements(log.queries, 'delete', table)).toHaveLength(0);
      expect(statements(log.queries, 'update', table)).toHaveLength(0);
      expect(await rowById(orm, SdAuthor, author.id)).toEqual(first);
      expect(seen.map(s => s.event)).toEqual([]);
    });

    test('remove + flush of the same entity twice in one entity manager keeps the first deletedAt', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'same em' });
      await em.flush();
      em.remove(author);
      await em.flush();
      const first = await rowById(orm, SdAuthor, author.id);
      em.remove(author);
      await em.flush();
      expect(await rowById(orm, SdAuthor, author.id)).toEqual(first);
      expect(seen.filter(s => s.event === 'afterSoftDelete')).toHaveLength(1);
    });

    test('em.remove inside withoutPlugins([softDelete]) deletes the row for real', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'bye' });
      const memo = em.create(SdMemo, { text: 'bye' });
      await em.flush();
      await withoutPlugins(['softDelete'], async () => {
        em.remove(author).remove(memo);
        await em.flush();
      });
      expect(await rowById(orm, SdAuthor, author.id)).toBeUndefined();
      expect(await rowById(orm, SdMemo, memo.id)).toBeUndefined();
      expect(seen.map(s => s.event)).toEqual(['afterDelete']);
      // Outside the scope, soft delete is back.
      const other = em.create(SdMemo, { text: 'stays' });
      await em.flush();
      em.remove(other);
      await em.flush();
      expect(await rowById(orm, SdMemo, other.id)).toBeDefined();
    });
  });

  describe('reads hide soft-deleted rows', () => {
    test('find, findOne, findOneOrFail, count and findAndCount', async () => {
      const orm = await init();
      const { liveId, goneId } = await liveAndDeleted(orm);
      const em = orm.em.fork();
      expect((await em.find(SdAuthor, {})).map(a => a.id)).toEqual([liveId]);
      expect(await em.findOne(SdAuthor, goneId)).toBeNull();
      expect(await em.findOne(SdAuthor, { name: 'gone' })).toBeNull();
      await expect(em.findOneOrFail(SdAuthor, goneId)).rejects.toBeInstanceOf(NotFoundError);
      expect(await em.count(SdAuthor, {})).toBe(1);
      const [rows, total] = await em.findAndCount(SdAuthor, {});
      expect(rows.map(a => a.id)).toEqual([liveId]);
      expect(total).toBe(1);
      expect((await em.findOneOrFail(SdAuthor, liveId)).name).toBe('live');
    });

    for (const strategy of ['select-in', 'joined'] as const) {
      test(`populate with the ${strategy} strategy`, async () => {
        const orm = await init();
        const em = orm.em.fork();
        const author = em.create(SdAuthor, { name: 'a' });
        const keep = em.create(SdDraft, { title: 'keep', author });
        const drop = em.create(SdDraft, { title: 'drop', author });
        await em.flush();
        em.remove(drop);
        await em.flush();
        expect((await rowById(orm, SdDraft, drop.id))!.deleted_at).not.toBeNull();

        const fresh = orm.em.fork();
        const [loaded] = await fresh.find(SdAuthor, { id: author.id }, { populate: ['drafts'], strategy });
        expect(loaded!.drafts.getItems().map(d => d.id)).toEqual([keep.id]);

        const withAll = orm.em.fork();
        const [all] = await withAll.find(SdAuthor, { id: author.id }, { populate: ['drafts'], strategy, ...withDeleted() });
        expect(
          all!.drafts
            .getItems()
            .map(d => d.id)
            .sort(),
        ).toEqual([keep.id, drop.id].sort());
      });
    }

    test('collection init and loadCount', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'a' });
      const keep = em.create(SdDraft, { title: 'keep', author });
      const drop = em.create(SdDraft, { title: 'drop', author });
      await em.flush();
      em.remove(drop);
      await em.flush();

      const fresh = orm.em.fork();
      const loaded = await fresh.findOneOrFail(SdAuthor, author.id);
      expect(await loaded.drafts.loadCount()).toBe(1);
      await loaded.drafts.init();
      expect(loaded.drafts.getItems().map(d => d.id)).toEqual([keep.id]);
    });

    test('withDeleted() and onlyDeleted() per query', async () => {
      const orm = await init();
      const { liveId, goneId } = await liveAndDeleted(orm);
      const em = orm.em.fork();
      expect((await em.find(SdAuthor, {}, { ...withDeleted(), orderBy: { id: 'asc' } })).map(a => a.id)).toEqual([liveId, goneId]);
      expect((await em.find(SdAuthor, {}, onlyDeleted())).map(a => a.id)).toEqual([goneId]);
      expect(await em.count(SdAuthor, {}, onlyDeleted())).toBe(1);
      expect(await em.count(SdAuthor, {}, withDeleted())).toBe(2);
      expect((await orm.em.fork().findOneOrFail(SdAuthor, goneId, withDeleted())).name).toBe('gone');
      // Per query only: the next query hides it again.
      expect(await orm.em.fork().count(SdAuthor, {})).toBe(1);
    });

    test('filters: { softDelete: false } lifts the filter', async () => {
      const orm = await init();
      const { goneId } = await liveAndDeleted(orm);
      const em = orm.em.fork();
      expect(await em.count(SdAuthor, {}, { filters: { softDelete: false } })).toBe(2);
      expect((await em.findOneOrFail(SdAuthor, goneId, { filters: { softDelete: false } })).deletedAt).toBeInstanceOf(Date);
    });
  });

  describe('restore and hardDelete', () => {
    test('restore + flush clears deletedAt and the row is visible again', async () => {
      const orm = await init();
      const { goneId } = await liveAndDeleted(orm);
      const em = orm.em.fork();
      const gone = await em.findOneOrFail(SdAuthor, goneId, withDeleted());
      await restore(em, gone);
      await em.flush();
      expect((await rowById(orm, SdAuthor, goneId))!.deleted_at).toBeNull();
      expect(await orm.em.fork().count(SdAuthor, {})).toBe(2);
    });

    test('restore works with a custom field', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const memo = em.create(SdMemo, { text: 'm' });
      await em.flush();
      em.remove(memo);
      await em.flush();
      await restore(em, memo);
      await em.flush();
      expect((await rowById(orm, SdMemo, memo.id))!.removed_at).toBeNull();
      expect(await orm.em.fork().count(SdMemo, {})).toBe(1);
    });

    test("hardDelete deletes the row and the user's own delete hooks fire", async () => {
      const orm = await init();
      const em = orm.em.fork();
      const author = em.create(SdAuthor, { name: 'hard' });
      await em.flush();
      await hardDelete(em, author);
      expect(await rowById(orm, SdAuthor, author.id)).toBeUndefined();
      expect(userHooks).toEqual(['beforeDelete:hard', 'afterDelete:hard']);
      // Other plugins' delete hooks still run; the soft-delete events do not.
      expect(seen.map(s => s.event)).toEqual(['afterDelete']);
      expect(seen[0]!.entity).toBe(author);
    });

    test('hardDelete removes an already soft-deleted row', async () => {
      const orm = await init();
      const { goneId } = await liveAndDeleted(orm);
      const em = orm.em.fork();
      await hardDelete(em, await em.findOneOrFail(SdAuthor, goneId, withDeleted()));
      expect(await rowById(orm, SdAuthor, goneId)).toBeUndefined();
    });

    test("a soft delete fires the user's own beforeDelete (it runs before the plugins decide), never afterDelete", async () => {
      const orm = await init();
      await liveAndDeleted(orm);
      expect(userHooks).toEqual(['beforeDelete:gone']);
    });
  });

  test('the four soft-delete events fire in order, once each, with the entity', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const author = em.create(SdAuthor, { name: 'evented' });
    await em.flush();
    expect(seen).toEqual([]);

    em.remove(author);
    await em.flush();
    expect(seen.map(s => s.event)).toEqual(['beforeSoftDelete', 'afterSoftDelete']);
    expect(seen[0]!.deletedAt ?? null).toBeNull(); // not yet stamped
    expect(seen[1]!.deletedAt).toBeInstanceOf(Date);

    await restore(em, author);
    await em.flush();
    expect(seen.map(s => s.event)).toEqual(['beforeSoftDelete', 'afterSoftDelete', 'beforeRestore', 'afterRestore']);
    for (const s of seen) expect(s.entity).toBe(author);
    expect(seen[2]!.deletedAt ?? null).toBeNull();
    expect(seen[3]!.deletedAt ?? null).toBeNull();

    // Nothing more on flushes without changes.
    await em.flush();
    expect(seen).toHaveLength(4);
  });

  describe("a soft delete must not null the children's foreign keys", () => {
    /** Author Ann with books, cascaded drafts and a NOT NULL review; author Bob as a control. */
    async function family(orm: MikroORM) {
      const em = orm.em.fork();
      const ann = em.create(SdAuthor, { name: 'Ann' });
      const bob = em.create(SdAuthor, { name: 'Bob' });
      em.create(SdBook, { title: 'b1', author: ann });
      em.create(SdBook, { title: 'b2', author: ann });
      em.create(SdBook, { title: 'b3', author: bob });
      em.create(SdDraft, { title: 'd1', author: ann });
      em.create(SdDraft, { title: 'd2', author: ann });
      em.create(SdReview, { text: 'r1', author: ann });
      em.create(SdReview, { text: 'r2', author: ann });
      await em.flush();
      return { annId: ann.id, bobId: bob.id };
    }

    /** Every child's FK, by child table and title. */
    async function links(orm: MikroORM): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = {};
      for (const [entity, key] of [
        [SdBook, 'title'],
        [SdDraft, 'title'],
        [SdReview, 'text'],
      ] as const) {
        const fk = columnOf(orm, entity, 'author');
        for (const row of await dumpTable(orm, entity)) out[String(row[key])] = Number(row[fk]);
      }
      return out;
    }

    const deletedAtOf = async (orm: MikroORM, entity: typeof SdAuthor | typeof SdDraft) =>
      Object.fromEntries((await dumpTable(orm, entity)).map(r => [String(r.name ?? r.title), r.deleted_at !== null]));

    const expectedLinks = (annId: number, bobId: number) => ({ b1: annId, b2: annId, b3: bobId, d1: annId, d2: annId, r1: annId, r2: annId });

    test('with every collection loaded: children keep their FK, cascaded soft-deletable children get deletedAt, and restore finds them all', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));

      const em = orm.em.fork();
      const ann = await em.findOneOrFail(SdAuthor, annId, { populate: ['books', 'drafts', 'reviews'] });
      em.remove(ann);
      await em.flush();

      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect(await deletedAtOf(orm, SdAuthor)).toEqual({ Ann: true, Bob: false });
      expect(await deletedAtOf(orm, SdDraft)).toEqual({ d1: true, d2: true });
      // The in-memory children still point at Ann too.
      const books = await em.find(SdBook, { title: ['b1', 'b2'] });
      for (const book of books) expect(book.author?.id).toBe(annId);

      const em2 = orm.em.fork();
      await restore(em2, await em2.findOneOrFail(SdAuthor, annId, withDeleted()));
      await em2.flush();

      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect(await deletedAtOf(orm, SdAuthor)).toEqual({ Ann: false, Bob: false });
      const restored = await orm.em.fork().findOneOrFail(SdAuthor, annId, { populate: ['books', 'reviews'] });
      expect(restored.books.getItems().map(b => b.title).sort()).toEqual(['b1', 'b2']);
      expect(restored.reviews.getItems().map(r => r.text).sort()).toEqual(['r1', 'r2']);
    });

    test('soft delete then restore in the same entity manager: every child still points at its parent', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(SdAuthor, annId, { populate: ['books', 'drafts', 'reviews'] });
      em.remove(ann);
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));

      await restore(em, ann);
      await em.flush();
      // Flushing again must not write the stripped references either.
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect(await deletedAtOf(orm, SdAuthor)).toEqual({ Ann: false, Bob: false });
    });

    test('with the collections not loaded, the children keep their FK as well', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      await softDeleteAuthor(orm, annId);
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect((await rowById(orm, SdAuthor, annId))!.deleted_at).not.toBeNull();
    });

    test('only books loaded (nullable FK, no cascade): the books keep their FK', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(SdAuthor, annId, { populate: ['books'] });
      expect(ann.books).toHaveLength(2);
      em.remove(ann);
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
    });

    test('a NOT NULL FK child keeps its parent through soft delete and restore', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(SdAuthor, annId, { populate: ['reviews'] });
      em.remove(ann);
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      await restore(em, ann);
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect(await orm.em.fork().count(SdReview, { author: annId })).toBe(2);
    });

    test('soft-deleting a cascaded child alone leaves its parent and siblings untouched', async () => {
      const orm = await init();
      const { annId, bobId } = await family(orm);
      const em = orm.em.fork();
      const d1 = await em.findOneOrFail(SdDraft, { title: 'd1' });
      em.remove(d1);
      await em.flush();
      expect(await links(orm)).toEqual(expectedLinks(annId, bobId));
      expect(await deletedAtOf(orm, SdDraft)).toEqual({ d1: true, d2: false });
      expect(await deletedAtOf(orm, SdAuthor)).toEqual({ Ann: false, Bob: false });
    });
  });
});
