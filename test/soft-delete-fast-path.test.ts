// deleteAsUpdate: a beforeDelete hook keeps the row and names the values to write; the plugin system writes
// such rows itself, in onFlush, as few UPDATEs as it can, where nothing could tell the difference.
import { Collection, type EventSubscriber, type FlushEventArgs, type Opt } from '@mikro-orm/core';
import { AfterUpdate, Entity, ManyToOne, OneToMany, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { beforeEach, describe, expect, test } from 'vitest';
import { auditLog } from '../src/audit.js';
import {
  deleteAsUpdate,
  hook,
  plugin,
  pluginSystem,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationPlugin,
  readsNoChangeSets,
  withDeleted,
  type EntityChanges,
  type HookContext,
} from '../src/index.js';
import { AuditPlugin } from '../src/audit.js';
import { auditRows } from './support/audit-support.js';
import { describeEachDatabase, sqlite, type Database, type TestOptions } from './support/databases.js';
import { queryLog, rowById, statements, tableOf } from './support/fixtures-sql.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    fpArchive: Record<string, never>;
    fpSeen: Record<string, never>;
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin, audit: AuditPlugin });
const ARCHIVED_AT = new Date('2026-01-02T03:04:05.000Z');

/** A third-party plugin: removing an entity archives it, with the same values for every row. */
@plugin({ name: 'fpArchive', registry })
class ArchivePlugin {
  @hook('beforeDelete')
  archive(entity: { archived?: boolean }, ctx: HookContext): false {
    return deleteAsUpdate(ctx, entity, { archived: true, archivedAt: ARCHIVED_AT });
  }
}

const seen: string[] = [];
const label = (e: object) => String((e as { title?: string; name?: string }).title ?? (e as { name?: string }).name);

@plugin({ name: 'fpSeen', registry })
class SeenPlugin {
  @hook('afterUpdate') afterUpdate(e: object) {
    seen.push(`afterUpdate:${label(e)}`);
  }
  @hook('afterChange') afterChange(e: object, changes: EntityChanges) {
    seen.push(`afterChange:${label(e)}:${changes.kind}:${Object.keys(changes.fields).sort().join(',')}`);
  }
  @hook('afterCommit') afterCommit(e: object) {
    seen.push(`afterCommit:${label(e)}`);
  }
  @hook('afterCreate') afterCreate(e: object) {
    seen.push(`afterCreate:${label(e)}`);
  }
  @hook('afterSoftDelete') afterSoftDelete(e: object) {
    seen.push(`afterSoftDelete:${label(e)}`);
  }
}
void ArchivePlugin;
void SeenPlugin;

const validTitle = { validate: (e: { title?: string }) => (e.title === 'bad' ? [{ field: 'title', message: 'bad title' }] : []) };

@Entity()
class FpNote {
  static plugins = ['fpArchive', 'timestamp', { validation: validTitle }, 'fpSeen'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) archived: Opt<boolean> = false;
  @Property({ type: 'Date', nullable: true }) archivedAt?: Date | null;
  @Property({ type: 'json', nullable: true }) tags?: string[] | null;
  declare updatedAt?: Date;
}

/** Its own afterUpdate hook would see the difference: MikroORM writes its kept rows. */
@Entity()
class FpHooked {
  static plugins = ['fpArchive', 'fpSeen'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) archived: Opt<boolean> = false;
  @Property({ type: 'Date', nullable: true }) archivedAt?: Date | null;
  @AfterUpdate() own() {
    seen.push(`own:${this.title}`);
  }
}

/** A version column: MikroORM's update checks and bumps it. */
@Entity()
class FpVersioned {
  static plugins = ['fpArchive'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) archived: Opt<boolean> = false;
  @Property({ type: 'Date', nullable: true }) archivedAt?: Date | null;
  @Property({ type: 'integer', version: true }) version!: Opt<number>;
}

@Entity()
class FpPair {
  static plugins = ['fpArchive'];
  @PrimaryKey({ type: 'string' }) shelf!: string;
  @PrimaryKey({ type: 'integer' }) slot!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) archived: Opt<boolean> = false;
  @Property({ type: 'Date', nullable: true }) archivedAt?: Date | null;
}

@Entity()
class FpTag {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Unique() @Property({ type: 'string' }) code!: string;
}

@Entity()
class FpAuthor {
  static plugins = ['softDelete', 'timestamp', 'fpSeen'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => FpBook, mappedBy: 'author' }) books = new Collection<FpBook>(this);
  declare deletedAt?: Date | null;
  declare deletionBatch?: string | null;
}

@Entity()
class FpBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => FpAuthor, nullable: true }) author?: FpAuthor | null;
}

@Entity()
class FpAudited {
  static plugins = ['softDelete', 'audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  declare deletedAt?: Date | null;
}

const entities = [FpNote, FpHooked, FpVersioned, FpPair, FpTag, FpAuthor, FpBook];

const updatesOf = (queries: readonly string[], table: string) => statements(queries, 'update', table);

describeEachDatabase('deleteAsUpdate: kept rows written by the plugin system', (db: Database) => {
  const log = queryLog();
  const init = (options: TestOptions = {}) => db.init({ entities, extensions: [pluginSystem({ registry })], ...log.options, ...options });
  beforeEach(() => {
    seen.length = 0;
    log.clear();
  });

  async function notes(titles: readonly string[]) {
    const orm = await init();
    const em = orm.em.fork();
    const made = titles.map(title => em.create(FpNote, { title }));
    await em.flush();
    seen.length = 0;
    log.clear();
    return { orm, em, made };
  }

  test('one UPDATE … WHERE id IN (…) for rows given the same values; the update hooks ran; no DELETE', async () => {
    const { orm, em, made } = await notes(['n1', 'n2', 'n3']);
    for (const note of made) em.remove(note);
    await em.flush();
    const table = tableOf(orm, FpNote);
    const updates = updatesOf(log.queries, table);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatch(/ in \(/i);
    expect(updates[0]).not.toMatch(/\bcase\b/i);
    expect(statements(log.queries, 'delete', table)).toHaveLength(0);
    for (const note of made) {
      const row = (await rowById(orm, FpNote, note.id))!;
      expect([true, 1]).toContain(row.archived);
      expect(row.updated_at).not.toBeNull();
      expect(note.archivedAt).toEqual(ARCHIVED_AT);
    }
    await orm.close(true);
  });

  test('snapshots hold the written values: the entities are clean, and a second flush writes nothing', async () => {
    const { orm, em, made } = await notes(['n1', 'n2']);
    for (const note of made) em.remove(note);
    await em.flush();
    const uow = em.getUnitOfWork();
    for (const note of made) expect(uow.getOriginalEntityData(note)).toMatchObject({ archived: true });
    log.clear();
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpNote))).toEqual([]);
    // A later change is an ordinary update of the kept row.
    made[0]!.title = 'n1 again';
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpNote))).toHaveLength(1);
    expect((await rowById(orm, FpNote, made[0]!.id))!.title).toBe('n1 again');
    await orm.close(true);
  });

  test('afterUpdate, afterChange (an update of what changed) and afterCommit fire per row, in change-set order', async () => {
    const { orm, em, made } = await notes(['n1', 'n2']);
    for (const note of made) em.remove(note);
    await em.flush();
    expect(seen).toEqual([
      'afterUpdate:n1',
      'afterChange:n1:update:archived,archivedAt,updatedAt',
      'afterUpdate:n2',
      'afterChange:n2:update:archived,archivedAt,updatedAt',
      'afterCommit:n1',
      'afterCommit:n2',
    ]);
    await orm.close(true);
  });

  test('other changes made to the entity before em.remove() are written in the same UPDATE', async () => {
    const { orm, em, made } = await notes(['n1']);
    made[0]!.title = 'renamed';
    made[0]!.tags = ['x'];
    em.remove(made[0]!);
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpNote))).toHaveLength(1);
    const row = (await rowById(orm, FpNote, made[0]!.id))!;
    expect(row.title).toBe('renamed');
    expect(typeof row.tags === 'string' ? JSON.parse(row.tags) : row.tags).toEqual(['x']);
    log.clear();
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpNote))).toEqual([]);
    await orm.close(true);
  });

  test('rows whose values differ share one UPDATE: a CASE on the key sets each row its own value', async () => {
    const { orm, em, made } = await notes(['n1', 'n2', 'n3']);
    made[0]!.title = 'first';
    made[1]!.title = 'second';
    for (const note of made) em.remove(note);
    await em.flush();
    const updates = updatesOf(log.queries, tableOf(orm, FpNote));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatch(/\bcase [`"]id[`"] when\b/i);
    const titles = await Promise.all(made.map(async note => (await rowById(orm, FpNote, note.id))!.title));
    expect(titles).toEqual(['first', 'second', 'n3']);
    await orm.close(true);
  });

  test('validation still runs on a kept row: a failure aborts the flush and nothing is written', async () => {
    const { orm, em, made } = await notes(['n1', 'n2']);
    made[1]!.title = 'bad';
    for (const note of made) em.remove(note);
    await expect(em.flush()).rejects.toThrow(/bad title/);
    for (const note of made) expect([false, 0]).toContain((await rowById(orm, FpNote, note.id))!.archived);
    await orm.close(true);
  });

  test('a later statement of the flush failing rolls the kept rows back, and their snapshots: the next flush writes them again', async () => {
    const { orm, em, made } = await notes(['n1', 'n2']);
    em.create(FpTag, { code: 'dup' });
    await em.flush();
    for (const note of made) em.remove(note);
    const dup = em.create(FpTag, { code: 'dup' });
    await expect(em.flush()).rejects.toThrow();
    for (const note of made) {
      expect([false, 0]).toContain((await rowById(orm, FpNote, note.id))!.archived);
      expect(em.getUnitOfWork().getOriginalEntityData(note)).toMatchObject({ archived: false });
    }
    dup.code = 'unique';
    await em.flush();
    for (const note of made) expect([true, 1]).toContain((await rowById(orm, FpNote, note.id))!.archived);
    await orm.close(true);
  });

  test('composite primary keys: the rows are kept and clean afterwards', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const pairs = [em.create(FpPair, { shelf: 'a', slot: 1, title: 'p1' }), em.create(FpPair, { shelf: 'a', slot: 2, title: 'p2' })];
    await em.flush();
    for (const pair of pairs) em.remove(pair);
    await em.flush();
    const rows = await orm.em.fork().find(FpPair, {}, { orderBy: { slot: 'asc' } });
    expect(rows.map(r => [r.title, r.archived])).toEqual([
      ['p1', true],
      ['p2', true],
    ]);
    log.clear();
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpPair))).toEqual([]);
    await orm.close(true);
  });

  test('fallback: an entity with its own update hook is written by MikroORM (its hook fires), with the same result', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const made = [em.create(FpHooked, { title: 'h1' }), em.create(FpHooked, { title: 'h2' })];
    await em.flush();
    seen.length = 0;
    log.clear();
    for (const entity of made) em.remove(entity);
    await em.flush();
    const updates = updatesOf(log.queries, tableOf(orm, FpHooked));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatch(/\bcase\b/i); // MikroORM's batch update
    expect(seen.filter(s => s.startsWith('own:'))).toEqual(['own:h1', 'own:h2']);
    expect(seen.filter(s => s.startsWith('afterUpdate:'))).toEqual(['afterUpdate:h1', 'afterUpdate:h2']);
    await orm.close(true);
  });

  test('fallback: a version column is checked and bumped by MikroORM', async () => {
    const orm = await init();
    const em = orm.em.fork();
    // One row: MikroORM 7.2.5 itself fails a batch update of two versioned rows on SQLite (its `returning` reports
    // no rows affected, so it throws OptimisticLockError with no plugin installed), where 7.2.1 does not.
    const made = [em.create(FpVersioned, { title: 'v1' })];
    await em.flush();
    const versions = made.map(v => v.version);
    for (const entity of made) em.remove(entity);
    await em.flush();
    for (const [i, entity] of made.entries()) {
      expect(entity.archived).toBe(true);
      expect(entity.version).toBeGreaterThan(versions[i]!);
    }
    await orm.close(true);
  });

  test('fallback: a subscriber with afterFlush (it could read the change sets) gets MikroORM’s own path', async () => {
    const flushed: number[] = [];
    const reader: EventSubscriber = { afterFlush: ({ uow }: FlushEventArgs) => void flushed.push(uow.getChangeSets().filter(cs => Object.keys(cs.payload).length > 0).length) };
    const orm2 = await init({ subscribers: [reader] });
    const em = orm2.em.fork();
    const made = [em.create(FpNote, { title: 'n1' }), em.create(FpNote, { title: 'n2' })];
    await em.flush();
    log.clear();
    for (const note of made) em.remove(note);
    await em.flush();
    expect(flushed.at(-1)).toBe(2); // the subscriber saw both updates with their payloads
    expect(updatesOf(log.queries, tableOf(orm2, FpNote))[0]).toMatch(/\bcase\b/i);
    await orm2.close(true);
  });

  test('a subscriber declared with readsNoChangeSets keeps the kept rows on the plugin system’s path; its afterFlush still runs', async () => {
    let flushes = 0;
    const counter = readsNoChangeSets<EventSubscriber>({ afterFlush: () => void flushes++ });
    const orm2 = await init({ subscribers: [counter] });
    const em = orm2.em.fork();
    const made = [em.create(FpNote, { title: 'n1' }), em.create(FpNote, { title: 'n2' })];
    await em.flush();
    log.clear();
    flushes = 0;
    for (const note of made) em.remove(note);
    await em.flush();
    expect(flushes).toBe(1);
    const updates = updatesOf(log.queries, tableOf(orm2, FpNote));
    expect(updates).toHaveLength(1);
    expect(updates[0]).not.toMatch(/\bcase\b/i);
    for (const note of made) expect([true, 1]).toContain((await rowById(orm2, FpNote, note.id))!.archived);
    await orm2.close(true);
  });

  test('softDelete: rows of one flush are written together; events, batches and foreign keys as documented', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const authors = ['a1', 'a2', 'a3'].map(name => em.create(FpAuthor, { name }));
    const book = em.create(FpBook, { title: 'b', author: authors[0] });
    await em.flush();
    seen.length = 0;
    log.clear();
    for (const author of authors) em.remove(author);
    await em.flush();
    expect(updatesOf(log.queries, tableOf(orm, FpAuthor))).toHaveLength(1);
    expect(statements(log.queries, 'delete', tableOf(orm, FpAuthor))).toHaveLength(0);
    // Per row: softDelete's afterUpdate hook (registered first) announces it, then the next plugin's afterUpdate.
    expect(seen.filter(s => s.startsWith('afterSoftDelete') || s.startsWith('afterUpdate'))).toEqual([
      'afterSoftDelete:a1',
      'afterUpdate:a1',
      'afterSoftDelete:a2',
      'afterUpdate:a2',
      'afterSoftDelete:a3',
      'afterUpdate:a3',
    ]);
    // One batch for the flush's roots; the book keeps its author.
    const stored = await orm.em.fork().find(FpAuthor, {}, { ...withDeleted(), orderBy: { id: 'asc' } });
    expect(stored.every(a => a.deletedAt != null)).toBe(true);
    expect(new Set(stored.map(a => a.deletionBatch))).toEqual(new Set([authors[0]!.deletionBatch]));
    expect((await rowById(orm, FpBook, book.id))!.author_id).toBe(authors[0]!.id);
    expect(book.author).toBe(authors[0]);
    log.clear();
    await em.flush();
    expect(log.queries.filter(q => /\bupdate\b/i.test(q))).toEqual([]);
    await orm.close(true);
  });
});

describe('deleteAsUpdate: misuse and audit', () => {
  test('outside a beforeDelete hook, deleteAsUpdate throws MOP_INVALID_ARGUMENT; so does a key or a relation', async () => {
    expect(() => deleteAsUpdate({ event: 'beforeUpdate' } as HookContext, {}, {})).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT' }));
    const orm = await sqlite.init({ entities, extensions: [pluginSystem({ registry })] });
    const em = orm.em.fork();
    const note = em.create(FpNote, { title: 'n' });
    await em.flush();
    const meta = orm.getMetadata().get(FpNote);
    const cs = { entity: note, meta } as never;
    const ctx = { event: 'beforeDelete', changeSet: cs, meta } as unknown as HookContext;
    expect(() => deleteAsUpdate(ctx, note, { id: 5 })).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT' }));
    expect(() => deleteAsUpdate(ctx, {}, { archived: true })).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT' }));
    await orm.close(true);
  });

  test('audit records each soft delete as a softDelete row; its row writer leaves the kept rows on the plugin system’s path', async () => {
    const log = queryLog();
    const orm = await sqlite.init({ entities: [FpAudited], extensions: [pluginSystem({ registry }), auditLog()], ...log.options });
    const em = orm.em.fork();
    const made = [em.create(FpAudited, { title: 't1' }), em.create(FpAudited, { title: 't2' })];
    await em.flush();
    log.clear();
    for (const entity of made) em.remove(entity);
    await em.flush();
    const updates = updatesOf(log.queries, tableOf(orm, FpAudited));
    expect(updates).toHaveLength(1);
    // The kept-row writer's form for rows that get the same values (one flush, one batch): no CASE; MikroORM's own batch update reads `case when (…)`.
    expect(updates[0]).not.toMatch(/\bcase\b/i);
    expect(updates[0]).toMatch(/ where [`"]id[`"] in \(/i);
    const rows = await auditRows(orm);
    expect(rows.map(r => [r.entityId, r.operation])).toEqual([
      [String(made[0]!.id), 'create'],
      [String(made[1]!.id), 'create'],
      [String(made[0]!.id), 'softDelete'],
      [String(made[1]!.id), 'softDelete'],
    ]);
    await orm.close(true);
  });
});
