import { Cascade, Collection, defineEntity, p, type EntityName, type MikroORM } from '@mikro-orm/core';
import { AfterDelete, BeforeDelete, Entity, ManyToMany, ManyToOne, OneToMany, OneToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { bindContext, DeleteRefusedError, hardDelete, hook, plugin, PluginOptionsError, PluginRegistry, pluginSystem, restore, runWithContext, SoftDeletePlugin, softDeleteProperties, usePlugins, withDeleted, withPlugins, withoutPlugins } from '../src/index.js';
import { auditRows } from './support/audit-support.js';
import { describeEachDatabase, sqlite } from './support/databases.js';
import { columnOf, columnsOf, dumpTable, queryLog, statements, tableOf, type Row } from './support/fixtures-sql.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    sdpEvents: Record<string, never>;
  }
}

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin, audit: AuditPlugin });

// ---------------------------------------------------------------------------------------------
// Records the soft-delete and restore events as `event:label`.

const seen: string[] = [];
const userHooks: string[] = [];
const labelOf = (e: object) => String((e as Row).name ?? (e as Row).title ?? (e as Row).text);

@plugin({ name: 'sdpEvents', registry })
class PolicyEventsPlugin {
  @hook('beforeSoftDelete') beforeSoftDelete(e: object) {
    seen.push(`beforeSoftDelete:${labelOf(e)}`);
  }
  @hook('afterSoftDelete') afterSoftDelete(e: object) {
    seen.push(`afterSoftDelete:${labelOf(e)}`);
  }
  @hook('beforeRestore') beforeRestore(e: object) {
    seen.push(`beforeRestore:${labelOf(e)}`);
  }
  @hook('afterRestore') afterRestore(e: object) {
    seen.push(`afterRestore:${labelOf(e)}`);
  }
}
void PolicyEventsPlugin;

// ---------------------------------------------------------------------------------------------
// softCascade: Author -> books (named) -> chapters (named); drafts cascade through Cascade.Remove;
// notes are not a cascade relation.

interface SoftDeleteColumns {
  deletedAt?: Date | null;
  deletionBatch?: string | null;
  deletedBy?: string | null;
}

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['books'], deletedBy: 'deletedBy' } }, 'audit', 'sdpEvents'])
@Entity()
class PAuthor implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => PBook, mappedBy: 'author' }) books = new Collection<PBook>(this);
  @OneToMany({ entity: () => PDraft, mappedBy: 'author', cascade: [Cascade.PERSIST, Cascade.REMOVE] }) drafts = new Collection<PDraft>(this);
  @OneToMany({ entity: () => PNote, mappedBy: 'author' }) notes = new Collection<PNote>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
  deletedBy?: string | null;
}

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['chapters'], deletedBy: 'deletedBy' } }, 'audit', 'sdpEvents'])
@Entity()
class PBook implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => PAuthor }) author!: PAuthor;
  @OneToMany({ entity: () => PChapter, mappedBy: 'book' }) chapters = new Collection<PChapter>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
  deletedBy?: string | null;
}

@withPlugins([{ softDelete: { deletedBy: 'deletedBy' } }, 'audit', 'sdpEvents'])
@Entity()
class PChapter implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => PBook }) book!: PBook;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
  deletedBy?: string | null;
}

@withPlugins(['softDelete', 'sdpEvents'])
@Entity()
class PDraft implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => PAuthor, nullable: true }) author?: PAuthor | null;
  deletedAt?: Date | null;
  deletionBatch?: string | null;

  @BeforeDelete() userBeforeDelete() {
    userHooks.push(`beforeDelete:${this.title}`);
  }
  @AfterDelete() userAfterDelete() {
    userHooks.push(`afterDelete:${this.title}`);
  }
}

@withPlugins(['softDelete'])
@Entity()
class PNote implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) text!: string;
  @ManyToOne({ entity: () => PAuthor, nullable: true }) author?: PAuthor | null;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

// soft (the default): Shelf -> bins through Cascade.Remove.
@withPlugins(['softDelete'])
@Entity()
class PShelf implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => PBin, mappedBy: 'shelf', cascade: [Cascade.PERSIST, Cascade.REMOVE] }) bins = new Collection<PBin>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

@withPlugins(['softDelete'])
@Entity()
class PBin implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne({ entity: () => PShelf }) shelf!: PShelf;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

// hard: Folder -> pages (named; soft-deletable on their own).
@withPlugins([{ softDelete: { policy: 'hard', cascade: ['pages'] } }, 'sdpEvents'])
@Entity()
class PFolder implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => PPage, mappedBy: 'folder' }) pages = new Collection<PPage>(this);
  deletedAt?: Date | null;

  @BeforeDelete() userBeforeDelete() {
    userHooks.push(`beforeDelete:${this.name}`);
  }
  @AfterDelete() userAfterDelete() {
    userHooks.push(`afterDelete:${this.name}`);
  }
}

@withPlugins(['softDelete', 'sdpEvents'])
@Entity()
class PPage implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) text!: string;
  @ManyToOne({ entity: () => PFolder }) folder!: PFolder;
  deletedAt?: Date | null;
}

// noDelete.
@withPlugins([{ softDelete: { policy: 'noDelete' } }])
@Entity()
class PLedger implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
}

// 1:1 both ways: each cascades to the other (the owning side through its foreign key).
@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['profile'] } }])
@Entity()
class PUser implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToOne({ entity: () => PProfile, mappedBy: 'user', nullable: true }) profile?: PProfile | null;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['user'] } }])
@Entity()
class PProfile implements SoftDeleteColumns {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToOne({ entity: () => PUser, inversedBy: 'profile', owner: true }) user!: PUser;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

@Entity()
class PPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const entities = [PAuthor, PBook, PChapter, PDraft, PNote, PShelf, PBin, PFolder, PPage, PLedger, PUser, PProfile, PPlain];

// ---------------------------------------------------------------------------------------------

type Labelled = EntityName<any>;

interface RowState {
  deleted: boolean;
  deletedAt: number | null;
  batch: string | null;
  by: string | null;
  /** The foreign key of the entity's one m:1 relation, if any. */
  fk: number | null;
}

const FK_OF: Partial<Record<string, string>> = { PProfile: 'user', PBook: 'author', PChapter: 'book', PDraft: 'author', PNote: 'author', PBin: 'shelf', PPage: 'folder' };

/** Each row of a table by label, read with raw SQL. */
async function stateOf(orm: MikroORM, entity: Labelled): Promise<Record<string, RowState>> {
  const meta = orm.getMetadata().get(entity);
  const fk = FK_OF[meta.className];
  const batch = meta.properties['deletionBatch' as never] ? columnOf(orm, entity, 'deletionBatch') : undefined;
  const by = meta.properties['deletedBy' as never] ? columnOf(orm, entity, 'deletedBy') : undefined;
  const out: Record<string, RowState> = {};
  for (const row of await dumpTable(orm, entity)) {
    const at = row[columnOf(orm, entity, 'deletedAt')];
    out[labelOf(row)] = {
      deleted: at != null,
      deletedAt: at == null ? null : new Date(at as string).getTime(),
      batch: batch ? ((row[batch] as string | null) ?? null) : null,
      by: by ? ((row[by] as string | null) ?? null) : null,
      fk: fk ? (row[columnOf(orm, entity, fk)] == null ? null : Number(row[columnOf(orm, entity, fk)])) : null,
    };
  }
  return out;
}

const deletedOf = async (orm: MikroORM, entity: Labelled) =>
  Object.fromEntries(Object.entries(await stateOf(orm, entity)).map(([label, s]) => [label, s.deleted]));

describeEachDatabase('soft delete policies', db => {
  let orm: MikroORM | undefined;
  beforeEach(() => {
    seen.length = 0;
    userHooks.length = 0;
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async (extra: object = {}) =>
    (orm = await db.init({ entities, extensions: [pluginSystem({ registry }), auditLog()], ...extra }));

  /** Ann: books b1 (chapters c1, c2) and b2 (c3), draft d1, note n1. Bob: book b3 (c4), draft d2. */
  async function library(orm: MikroORM) {
    const em = orm.em.fork();
    const ann = em.create(PAuthor, { name: 'Ann' });
    const bob = em.create(PAuthor, { name: 'Bob' });
    const b1 = em.create(PBook, { title: 'b1', author: ann });
    const b2 = em.create(PBook, { title: 'b2', author: ann });
    const b3 = em.create(PBook, { title: 'b3', author: bob });
    em.create(PChapter, { title: 'c1', book: b1 });
    em.create(PChapter, { title: 'c2', book: b1 });
    em.create(PChapter, { title: 'c3', book: b2 });
    em.create(PChapter, { title: 'c4', book: b3 });
    em.create(PDraft, { title: 'd1', author: ann });
    em.create(PDraft, { title: 'd2', author: bob });
    em.create(PNote, { text: 'n1', author: ann });
    await em.flush();
    return { annId: ann.id, bobId: bob.id };
  }

  /** Every foreign key of the library, by child label. */
  async function links(orm: MikroORM): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    for (const entity of [PBook, PChapter, PDraft, PNote]) for (const [label, s] of Object.entries(await stateOf(orm, entity))) out[label] = s.fk;
    return out;
  }

  async function removeAuthor(orm: MikroORM, id: number, populate: readonly string[] = []): Promise<void> {
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(PAuthor, id, { populate: populate as never }));
    await em.flush();
  }

  describe('softCascade', () => {
    test('em.remove with nothing loaded soft-deletes the cascade relations and their own, in one batch and at one time; FKs are kept', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const before = await links(orm);
      await removeAuthor(orm, annId);

      const authors = await stateOf(orm, PAuthor);
      const batch = authors.Ann!.batch;
      expect(batch).toMatch(/^[0-9a-f-]{36}$/);
      expect(authors.Bob!.deleted).toBe(false);
      const books = await stateOf(orm, PBook);
      const chapters = await stateOf(orm, PChapter);
      const drafts = await stateOf(orm, PDraft);
      const cascaded = [books.b1!, books.b2!, chapters.c1!, chapters.c2!, chapters.c3!, drafts.d1!];
      for (const row of cascaded) expect(row).toMatchObject({ deleted: true, batch, deletedAt: authors.Ann!.deletedAt });
      // Bob's rows, and the note (not a cascade relation), are untouched.
      for (const row of [books.b3!, chapters.c4!, drafts.d2!, (await stateOf(orm, PNote)).n1!]) expect(row).toMatchObject({ deleted: false, batch: null });
      expect(await links(orm)).toEqual(before);
      // A soft delete is no DELETE: the removed entity's own beforeDelete ran before the plugin vetoed, and no afterDelete.
      expect(userHooks).toEqual(['beforeDelete:d1']);
    });

    test('every cascaded row gets beforeSoftDelete, afterSoftDelete and a softDelete audit row', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const audited = (await auditRows(orm)).length;
      await removeAuthor(orm, annId);
      const soft = ['Ann', 'b1', 'b2', 'c1', 'c2', 'c3', 'd1'];
      expect(seen.filter(s => s.startsWith('beforeSoftDelete:')).map(s => s.split(':')[1]).sort()).toEqual(soft.sort());
      expect(seen.filter(s => s.startsWith('afterSoftDelete:')).map(s => s.split(':')[1]).sort()).toEqual(soft.sort());
      // A parent's beforeSoftDelete comes before its children's.
      expect(seen.indexOf('beforeSoftDelete:Ann')).toBeLessThan(seen.indexOf('beforeSoftDelete:b1'));
      expect(seen.indexOf('beforeSoftDelete:b1')).toBeLessThan(seen.indexOf('beforeSoftDelete:c1'));
      const rows = (await auditRows(orm)).slice(audited);
      expect(rows.map(r => `${r.entityName}:${r.operation}`).sort()).toEqual(
        ['PAuthor', 'PBook', 'PBook', 'PChapter', 'PChapter', 'PChapter'].map(e => `${e}:softDelete`),
      );
      expect(new Set(rows.map(r => r.flushId)).size).toBe(1);
    });

    test('with the collections loaded the result is the same, and the in-memory children keep their parent', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const before = await links(orm);
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(PAuthor, annId, { populate: ['books.chapters', 'drafts', 'notes'] });
      em.remove(ann);
      await em.flush();
      expect(await deletedOf(orm, PBook)).toEqual({ b1: true, b2: true, b3: false });
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: true, c2: true, c3: true, c4: false });
      expect(await deletedOf(orm, PDraft)).toEqual({ d1: true, d2: false });
      expect(await deletedOf(orm, PNote)).toEqual({ n1: false });
      expect(new Set(Object.values(await stateOf(orm, PChapter)).filter(s => s.deleted).map(s => s.batch))).toEqual(new Set([ann.deletionBatch]));
      expect(await links(orm)).toEqual(before);
      // A later flush writes nothing back either.
      await em.flush();
      expect(await links(orm)).toEqual(before);
      const note = await em.findOneOrFail(PNote, { text: 'n1' });
      expect(note.author?.id).toBe(annId);
    });

    test('rows deleted earlier on their own keep their batch, time and deletedBy', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PBook, { title: 'b1' }));
      await runWithContext({ actor: 'early' }, () => em.flush());
      const early = await stateOf(orm, PBook);
      await runWithContext({ actor: 'late' }, () => removeAuthor(orm, annId));
      const books = await stateOf(orm, PBook);
      expect(books.b1).toEqual(early.b1);
      expect(books.b1!.by).toBe('early');
      expect(books.b2!.by).toBe('late');
      expect(books.b2!.batch).not.toBe(books.b1!.batch);
      // c1 and c2 went with b1, in b1's batch.
      const chapters = await stateOf(orm, PChapter);
      expect(chapters.c1!.batch).toBe(books.b1!.batch);
      expect(chapters.c3!.batch).toBe(books.b2!.batch);
    });

    test('a cascaded child whose own policy is soft does not cascade further; one whose policy is softCascade does', async () => {
      // PBook is softCascade (-> chapters); PDraft is soft and has no relations to follow.
      const orm = await init();
      const { annId } = await library(orm);
      await removeAuthor(orm, annId);
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: true, c2: true, c3: true, c4: false });
    });
  });

  describe('softCascade over 1:1', () => {
    async function pair(orm: MikroORM) {
      const em = orm.em.fork();
      const user = em.create(PUser, { name: 'u1' });
      em.create(PProfile, { name: 'p1', user });
      const other = em.create(PUser, { name: 'u2' });
      em.create(PProfile, { name: 'p2', user: other });
      await em.flush();
      return user.id;
    }

    test('from the inverse side and from the owning side, each row once, in one batch; restore cascades back', async () => {
      const orm = await init();
      const userId = await pair(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PUser, userId));
      await em.flush();
      const users = await stateOf(orm, PUser);
      const profiles = await stateOf(orm, PProfile);
      expect(profiles.p1).toMatchObject({ deleted: true, batch: users.u1!.batch, fk: userId });
      expect([users.u2!.deleted, profiles.p2!.deleted]).toEqual([false, false]);

      const em2 = orm.em.fork();
      await restore(em2, await em2.findOneOrFail(PProfile, { name: 'p1' }, withDeleted()), { cascade: true });
      await em2.flush();
      expect(await deletedOf(orm, PUser)).toEqual({ u1: false, u2: false });

      // From the owning side: the profile takes its user with it.
      const em3 = orm.em.fork();
      em3.remove(await em3.findOneOrFail(PProfile, { name: 'p2' }));
      await em3.flush();
      const after = await stateOf(orm, PUser);
      expect(after.u2).toMatchObject({ deleted: true, batch: (await stateOf(orm, PProfile)).p2!.batch });
      expect(after.u1!.deleted).toBe(false);
    });
  });

  describe('soft (default)', () => {
    async function shelf(orm: MikroORM) {
      const em = orm.em.fork();
      const s = em.create(PShelf, { name: 's1' });
      em.create(PBin, { name: 'x1', shelf: s });
      em.create(PBin, { name: 'x2', shelf: s });
      await em.flush();
      return s.id;
    }

    test('rows MikroORM cascades em.remove to (loaded, Cascade.Remove) join the batch', async () => {
      const orm = await init();
      const id = await shelf(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PShelf, id, { populate: ['bins'] }));
      await em.flush();
      const shelfBatch = (await stateOf(orm, PShelf)).s1!.batch;
      const bins = await stateOf(orm, PBin);
      expect(bins.x1).toMatchObject({ deleted: true, batch: shelfBatch, fk: id });
      expect(bins.x2).toMatchObject({ deleted: true, batch: shelfBatch, fk: id });
    });

    test('children that are not loaded are left alone', async () => {
      const orm = await init();
      const id = await shelf(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PShelf, id));
      await em.flush();
      expect(await deletedOf(orm, PShelf)).toEqual({ s1: true });
      expect(await deletedOf(orm, PBin)).toEqual({ x1: false, x2: false });
    });

    test('roots removed in one flush share its batch and time; a later flush is another batch', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const [a, b, c] = ['a', 'b', 'c'].map(name => em.create(PShelf, { name }));
      await em.flush();
      em.remove(a!).remove(b!);
      await em.flush();
      em.remove(c!);
      await em.flush();
      const shelves = await stateOf(orm, PShelf);
      expect(shelves.a!.batch).toEqual(expect.any(String));
      expect(shelves.b!.batch).toBe(shelves.a!.batch);
      expect(b!.deletedAt!.getTime()).toBe(a!.deletedAt!.getTime());
      expect(b!.deletedAt).not.toBe(a!.deletedAt); // each row its own Date object
      expect(shelves.c!.batch).toEqual(expect.any(String));
      expect(shelves.c!.batch).not.toBe(shelves.a!.batch);
    });
  });

  describe('restore', () => {
    test('restore(em, entity) restores that row only, clears its batch and deletedBy, and fires the restore events', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      await runWithContext({ actor: 'ada' }, () => removeAuthor(orm, annId));
      seen.length = 0;
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(PAuthor, annId, withDeleted());
      expect(await restore(em, ann)).toBe(ann);
      expect(await deletedOf(orm, PAuthor)).toEqual({ Ann: true, Bob: false }); // saved by the flush
      await em.flush();
      expect((await stateOf(orm, PAuthor)).Ann).toMatchObject({ deleted: false, batch: null, by: null });
      expect(await deletedOf(orm, PBook)).toEqual({ b1: true, b2: true, b3: false });
      expect(seen).toEqual(['beforeRestore:Ann', 'afterRestore:Ann']);
      expect(ann.deletionBatch).toBeNull();
      expect(ann.deletedBy).toBeNull();
    });

    test('restore(em, entity, { cascade: true }) brings back its batch, down the cascade relations, and not rows deleted before on their own', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const em0 = orm.em.fork();
      em0.remove(await em0.findOneOrFail(PChapter, { title: 'c3' }));
      await em0.flush();
      await removeAuthor(orm, annId);
      seen.length = 0;

      const em = orm.em.fork();
      await restore(em, await em.findOneOrFail(PAuthor, annId, withDeleted()), { cascade: true });
      await em.flush();
      expect(await deletedOf(orm, PAuthor)).toEqual({ Ann: false, Bob: false });
      expect(await deletedOf(orm, PBook)).toEqual({ b1: false, b2: false, b3: false });
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: false, c2: false, c3: true, c4: false });
      expect(await deletedOf(orm, PDraft)).toEqual({ d1: false, d2: false });
      for (const entity of [PAuthor, PBook, PDraft]) for (const s of Object.values(await stateOf(orm, entity))) expect(s.batch).toBeNull();
      expect(seen.filter(s => s.startsWith('afterRestore:')).map(s => s.split(':')[1]).sort()).toEqual(['Ann', 'b1', 'b2', 'c1', 'c2', 'd1']);
      // Audit sees each as a restore.
      const restores = (await auditRows(orm)).filter(r => r.operation === 'restore');
      expect(restores.map(r => r.entityName).sort()).toEqual(['PAuthor', 'PBook', 'PBook', 'PChapter', 'PChapter']);
    });

    test('restoring a child alone leaves its deleted parent and siblings deleted', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      await removeAuthor(orm, annId);
      const em = orm.em.fork();
      await restore(em, await em.findOneOrFail(PBook, { title: 'b1' }, withDeleted()), { cascade: true });
      await em.flush();
      expect(await deletedOf(orm, PAuthor)).toEqual({ Ann: true, Bob: false });
      expect(await deletedOf(orm, PBook)).toEqual({ b1: false, b2: true, b3: false });
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: false, c2: false, c3: true, c4: false });
    });

    test('restore(em, Entity, where) restores each matching deleted row (hooks per entity) and returns them', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      await removeAuthor(orm, annId);
      seen.length = 0;
      const em = orm.em.fork();
      const restored = await restore(em, PBook, { title: { $in: ['b1', 'b3'] } });
      await em.flush();
      expect(restored.map(b => b.title)).toEqual(['b1']); // b3 was live
      expect(await deletedOf(orm, PBook)).toEqual({ b1: false, b2: true, b3: false });
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: true, c2: true, c3: true, c4: false });
      expect(seen).toEqual(['beforeRestore:b1', 'afterRestore:b1']);
    });

    test('restore(em, Entity, where, { cascade: true }) restores each row with its batch', async () => {
      const orm = await init();
      const { annId, bobId } = await library(orm);
      await removeAuthor(orm, annId);
      await removeAuthor(orm, bobId);
      const em = orm.em.fork();
      const restored = await restore(em, PAuthor, {}, { cascade: true });
      await em.flush();
      expect(restored.map(a => a.name).sort()).toEqual(['Ann', 'Bob']);
      for (const entity of [PAuthor, PBook, PChapter, PDraft]) {
        expect(Object.values(await deletedOf(orm, entity)).every(deleted => !deleted)).toBe(true);
      }
    });

    test('a cascade restore is saved by the next flush, in one transaction with the other pending changes', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const { annId } = await library(orm);
      await removeAuthor(orm, annId);
      const em = orm.em.fork();
      await restore(em, await em.findOneOrFail(PAuthor, annId, withDeleted()), { cascade: true });
      em.create(PNote, { text: 'n2' });
      log.clear();
      await em.flush();
      const begins = log.queries.filter(q => /\bbegin\b|start transaction|savepoint/i.test(q));
      expect(begins).toHaveLength(1);
      expect(statements(log.queries, 'update', tableOf(orm, PBook)).length).toBeGreaterThan(0);
      expect(statements(log.queries, 'insert', tableOf(orm, PNote))).toHaveLength(1);
      expect(await deletedOf(orm, PBook)).toEqual({ b1: false, b2: false, b3: false });
    });

    test('setting deletedAt back to null by hand also clears the batch and deletedBy', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      await runWithContext({ actor: 'ada' }, () => removeAuthor(orm, annId));
      const em = orm.em.fork();
      const ann = await em.findOneOrFail(PAuthor, annId, withDeleted());
      ann.deletedAt = null;
      await em.flush();
      expect((await stateOf(orm, PAuthor)).Ann).toMatchObject({ deleted: false, batch: null, by: null });
    });

    test('restore of an entity without softDelete is a typed error', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const plain = em.create(PPlain, { name: 'x' });
      await em.flush();
      await expect(restore(em, plain)).rejects.toMatchObject({ code: 'MOP_UNKNOWN_PLUGIN', entity: 'PPlain', plugin: 'softDelete' });
      await expect(restore(em, PPlain, {})).rejects.toMatchObject({ code: 'MOP_UNKNOWN_PLUGIN' });
    });
  });

  describe('deletedBy', () => {
    test('is the actor of runWithContext, on the root and every cascaded row, and nativeDelete writes it too', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      await runWithContext({ actor: 'ada', requestId: 'r1' }, () => removeAuthor(orm, annId));
      expect((await stateOf(orm, PAuthor)).Ann!.by).toBe('ada');
      const chapters = await stateOf(orm, PChapter);
      expect([chapters.c1!.by, chapters.c3!.by, chapters.c4!.by]).toEqual(['ada', 'ada', null]);

      await runWithContext({ actor: 'bulk' }, () => orm.em.fork().nativeDelete(PChapter, { title: 'c4' }));
      expect((await stateOf(orm, PChapter)).c4).toMatchObject({ deleted: true, by: 'bulk' });
    });

    test('comes from bindContext(em) when the em carries one, and is null without a context', async () => {
      const orm = await init();
      const { annId, bobId } = await library(orm);
      const em = bindContext(orm.em.fork(), { actor: 'cron' });
      em.remove(await em.findOneOrFail(PAuthor, annId));
      await em.flush();
      await removeAuthor(orm, bobId);
      const authors = await stateOf(orm, PAuthor);
      expect(authors.Ann!.by).toBe('cron');
      expect(authors.Bob!.by).toBeNull();
      expect(authors.Bob!.deleted).toBe(true);
    });

    test('the column exists only where the option names it', async () => {
      const orm = await init();
      expect(await columnsOf(orm, PAuthor)).toContain('deleted_by');
      expect(await columnsOf(orm, PDraft)).toEqual(['author_id', 'deleted_at', 'deletion_batch', 'id', 'title']);
    });
  });

  describe('nativeDelete', () => {
    test('soft: one batch id per call', async () => {
      const orm = await init();
      await library(orm);
      const em = orm.em.fork();
      expect(await em.nativeDelete(PChapter, { title: { $in: ['c1', 'c2'] } })).toBe(2);
      expect(await em.nativeDelete(PChapter, { title: 'c3' })).toBe(1);
      const chapters = await stateOf(orm, PChapter);
      expect(chapters.c1!.batch).toMatch(/^[0-9a-f-]{36}$/);
      expect(chapters.c2!.batch).toBe(chapters.c1!.batch);
      expect(chapters.c3!.batch).not.toBe(chapters.c1!.batch);
      // A bulk restore clears the batch with the field.
      await em.nativeUpdate(PChapter, { title: 'c1' }, { deletedAt: null }, withDeleted());
      expect((await stateOf(orm, PChapter)).c1).toMatchObject({ deleted: false, batch: null, by: null });
    });

    test('softCascade: refused with DeleteRefusedError before anything is written; perRow cascades; hard deletes', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const { annId } = await library(orm);
      const em = orm.em.fork();
      log.clear();
      const error = await em.nativeDelete(PAuthor, { name: 'Ann' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeleteRefusedError);
      expect(error).toMatchObject({ code: 'MOP_DELETE_REFUSED', entity: 'PAuthor', plugin: 'softDelete' });
      expect(statements(log.queries, 'update', tableOf(orm, PAuthor))).toHaveLength(0);
      expect(await deletedOf(orm, PAuthor)).toEqual({ Ann: false, Bob: false });

      expect(await em.nativeDelete(PAuthor, { id: annId }, { perRow: true })).toBe(1);
      expect(await deletedOf(orm, PBook)).toEqual({ b1: true, b2: true, b3: false });
      expect(await deletedOf(orm, PChapter)).toEqual({ c1: true, c2: true, c3: true, c4: false });

      const lonely = em.create(PAuthor, { name: 'Lonely' });
      await em.flush();
      expect(await em.nativeDelete(PAuthor, { id: lonely.id }, { hard: true })).toBe(1);
      expect(Object.keys(await stateOf(orm, PAuthor)).sort()).toEqual(['Ann', 'Bob']);
    });

    test('hard: the rows are really deleted', async () => {
      const orm = await init();
      const em = orm.em.fork();
      em.create(PFolder, { name: 'f1' });
      em.create(PFolder, { name: 'f2' });
      await em.flush();
      expect(await em.nativeDelete(PFolder, { name: 'f1' })).toBe(1);
      expect(Object.keys(await stateOf(orm, PFolder))).toEqual(['f2']);
    });
  });

  describe('hard', () => {
    /** Folder f1 with pages p1 (live) and p2 (soft-deleted on its own); folder f2 with p3. */
    async function folders(orm: MikroORM) {
      const em = orm.em.fork();
      const f1 = em.create(PFolder, { name: 'f1' });
      const f2 = em.create(PFolder, { name: 'f2' });
      em.create(PPage, { text: 'p1', folder: f1 });
      const p2 = em.create(PPage, { text: 'p2', folder: f1 });
      em.create(PPage, { text: 'p3', folder: f2 });
      await em.flush();
      em.remove(p2);
      await em.flush();
      seen.length = 0;
      return f1.id;
    }

    test("em.remove really deletes, with the cascade relations' rows (soft-deleted ones included); user hooks fire, soft-delete events do not", async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const id = await folders(orm);
      log.clear();
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PFolder, id));
      await em.flush();
      expect(Object.keys(await stateOf(orm, PFolder))).toEqual(['f2']);
      expect(Object.keys(await stateOf(orm, PPage))).toEqual(['p3']);
      expect(statements(log.queries, 'delete', tableOf(orm, PFolder))).toHaveLength(1);
      expect(userHooks).toEqual(['beforeDelete:f1', 'afterDelete:f1']);
      expect(seen).toEqual([]);
    });

    test('with the pages loaded, the same', async () => {
      const orm = await init();
      const id = await folders(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PFolder, id, { populate: ['pages'] }));
      await em.flush();
      expect(Object.keys(await stateOf(orm, PPage))).toEqual(['p3']);
    });
  });

  describe('hardDelete', () => {
    test('deletes the row and the rows of its cascade relations, soft-deleted ones included', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const em0 = orm.em.fork();
      em0.remove(await em0.findOneOrFail(PBook, { title: 'b2' }));
      await em0.flush();
      seen.length = 0;

      const em = orm.em.fork();
      await hardDelete(em, await em.findOneOrFail(PAuthor, annId));
      expect(Object.keys(await stateOf(orm, PAuthor))).toEqual(['Bob']);
      expect(Object.keys(await stateOf(orm, PBook))).toEqual(['b3']);
      expect(Object.keys(await stateOf(orm, PChapter))).toEqual(['c4']);
      expect(Object.keys(await stateOf(orm, PDraft))).toEqual(['d2']);
      // Not a cascade relation: the database's rule for a nullable FK (set null) applies.
      expect((await stateOf(orm, PNote)).n1).toMatchObject({ deleted: false, fk: null });
      expect(seen).toEqual([]);
      const deletes = (await auditRows(orm)).filter(r => r.operation === 'delete');
      expect(deletes.map(r => r.entityName).sort()).toEqual(['PAuthor', 'PBook', 'PBook', 'PChapter', 'PChapter', 'PChapter']);
    });

    test('other removes in the same flush stay soft', async () => {
      const orm = await init();
      const { annId } = await library(orm);
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(PNote, { text: 'n1' }));
      await hardDelete(em, await em.findOneOrFail(PDraft, { title: 'd2' }));
      expect(Object.keys(await stateOf(orm, PDraft))).toEqual(['d1']);
      expect(userHooks).toEqual(['beforeDelete:d2', 'afterDelete:d2']);
      expect((await stateOf(orm, PNote)).n1).toMatchObject({ deleted: true, fk: annId });
    });

    test('em.remove under withoutPlugins([softDelete]) really deletes too, with no soft-delete hooks', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const d = em.create(PDraft, { title: 'gone' });
      await em.flush();
      await withoutPlugins(['softDelete'], () => em.remove(d).flush());
      expect(await stateOf(orm, PDraft)).toEqual({});
      expect(seen).toEqual([]);
      expect(userHooks).toEqual(['beforeDelete:gone', 'afterDelete:gone']);
    });
  });

  describe('noDelete', () => {
    test('em.remove + flush throws DeleteRefusedError and the whole flush is written nowhere', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const em = orm.em.fork();
      const ledger = em.create(PLedger, { name: 'l1' });
      await em.flush();
      log.clear();

      em.remove(ledger);
      em.create(PLedger, { name: 'l2' });
      const error = await em.flush().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeleteRefusedError);
      expect(error).toMatchObject({ code: 'MOP_DELETE_REFUSED', entity: 'PLedger', plugin: 'softDelete' });
      expect((error as Error).message).toContain("policy 'noDelete'");
      expect(log.queries.filter(q => /insert|update|delete/i.test(q))).toEqual([]);
      expect(await deletedOf(orm, PLedger)).toEqual({ l1: false });
    });

    test('nativeDelete (also with hard: true, perRow, or both) and hardDelete throw; withoutPlugins deletes', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const ledger = em.create(PLedger, { name: 'l1' });
      await em.flush();
      await expect(em.nativeDelete(PLedger, {})).rejects.toBeInstanceOf(DeleteRefusedError);
      await expect(em.nativeDelete(PLedger, {}, { hard: true })).rejects.toBeInstanceOf(DeleteRefusedError);
      await expect(em.nativeDelete(PLedger, {}, { perRow: true })).rejects.toBeInstanceOf(DeleteRefusedError);
      await expect(em.nativeDelete(PLedger, {}, { perRow: true, hard: true })).rejects.toBeInstanceOf(DeleteRefusedError);
      await expect(hardDelete(em, ledger)).rejects.toMatchObject({ code: 'MOP_DELETE_REFUSED' });
      expect(await deletedOf(orm, PLedger)).toEqual({ l1: false });

      await withoutPlugins(['softDelete'], () => em.remove(ledger).flush());
      expect(await stateOf(orm, PLedger)).toEqual({});
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('soft delete policies: start-up and types', () => {
  test('a cascade name that is not a relation fails start-up with PluginOptionsError', async () => {
    @withPlugins(['softDelete'])
    @Entity()
    class SdcTag {
      @PrimaryKey({ type: 'integer' }) id!: number;
    }
    for (const name of ['nope', 'title']) {
      @withPlugins([{ softDelete: { policy: 'softCascade', cascade: [name] } }])
      @Entity({ tableName: `sdc_post_${name}` })
      class SdcPost {
        @PrimaryKey({ type: 'integer' }) id!: number;
        @Property({ type: 'string' }) title!: string;
        @ManyToMany({ entity: () => SdcTag }) tags = new Collection<SdcTag>(this);
      }
      const error = await sqlite.init({ entities: [SdcPost, SdcTag], extensions: [pluginSystem({ registry })] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginOptionsError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', entity: 'SdcPost', plugin: 'softDelete', option: 'cascade' });
      expect((error as Error).message).toContain(JSON.stringify(name));
    }
  });

  test('softDeleteProperties() types the columns for defineEntity; { deletedBy: true } adds deletedBy', async () => {
    const Memo = usePlugins(
      defineEntity({ name: 'SdcMemo', properties: { id: p.integer().primary(), text: p.string(), ...softDeleteProperties({ deletedBy: true }) } }),
      [{ softDelete: { deletedBy: 'deletedBy' } }],
    );
    const orm = await sqlite.init({ entities: [Memo], extensions: [pluginSystem({ registry })] });
    try {
      expect(await columnsOf(orm, Memo)).toEqual(['deleted_at', 'deleted_by', 'deletion_batch', 'id', 'text']);
      const em = orm.em.fork();
      const memo = em.create(Memo, { text: 'm' });
      await em.flush();
      em.remove(memo);
      await runWithContext({ actor: 'ada' }, () => em.flush());
      const deletedBy: string | null | undefined = memo.deletedBy;
      const batch: string | null | undefined = memo.deletionBatch;
      expect(deletedBy).toBe('ada');
      expect(batch).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await orm.close();
    }
  });
});
