// The QueryBuilder of the package's EntityManager: its reads apply the filters (soft-deleted rows hidden,
// withDeleted/onlyDeleted per builder), and its update()/delete() run as em.nativeUpdate/nativeDelete
// (bulk events, timestamps, the soft-delete veto, audit rows). Every write is checked with raw SQL.
import { raw, type MikroORM, type Opt } from '@mikro-orm/core';
import { Entity, Filter, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { PluginRegistry, QueryBuilderError, SoftDeletePlugin, TimestampPlugin, hook, onlyDeleted, pluginSystem, withDeleted, withPlugins, withQueryOptions, withoutPlugins, type HookContext } from '../src/index.js';
import { auditRows } from './support/audit-support.js';
import { describeEachDatabase } from './support/databases.js';
import { columnOf, epochMs as fixtureEpochMs, quote, sql, tableOf, type Row } from './support/fixtures-sql.js';

/** Epoch ms of a datetime column; also reads PostgreSQL's `…+00` offsets. */
const epochMs = (value: unknown): number => fixtureEpochMs(typeof value === 'string' ? value.replace(/([+-]\d\d)$/, '$1:00') : value);

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    qbProbe: Record<string, never>;
  }
}

interface Logged {
  event: string;
  entity: string;
  where: unknown;
  data: Record<string, unknown>;
  affected: number | undefined;
}
const log: Logged[] = [];

/** Records the bulk events with copies of their arguments; `data.title === 'boom'` throws after the update. */
class QbProbePlugin {
  #push(event: string, entity: string, where: unknown, data: Record<string, unknown>, ctx: HookContext & { affected?: number }) {
    log.push({ event, entity, where: structuredClone(where), data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v instanceof Date ? 'Date' : v])), affected: ctx.affected });
  }
  @hook('beforeBulkUpdate') beforeBulkUpdate(entity: string, where: unknown, data: Record<string, unknown>, ctx: HookContext) {
    this.#push('beforeBulkUpdate', entity, where, data, ctx);
  }
  @hook('afterBulkUpdate') afterBulkUpdate(entity: string, where: unknown, data: Record<string, unknown>, ctx: HookContext) {
    this.#push('afterBulkUpdate', entity, where, data, ctx);
    if (data.title === 'boom') throw new Error('boom');
  }
  @hook('beforeBulkDelete', { before: ['softDelete'] }) beforeBulkDelete(entity: string, where: unknown, data: Record<string, unknown>, ctx: HookContext) {
    this.#push('beforeBulkDelete', entity, where, data, ctx);
  }
  @hook('afterBulkDelete') afterBulkDelete(entity: string, where: unknown, data: Record<string, unknown>, ctx: HookContext) {
    this.#push('afterBulkDelete', entity, where, data, ctx);
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, audit: AuditPlugin });
registry.register('qbProbe', QbProbePlugin);

@withPlugins(['softDelete'])
@Entity()
class QbOwner {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
}

@withPlugins(['timestamp', 'softDelete', { audit: { exclude: ['createdAt', 'updatedAt'] } }, 'qbProbe'])
@Entity()
class QbDoc {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', unique: true }) slug!: string;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) hits: Opt<number> = 0;
  @ManyToOne({ entity: () => QbOwner, nullable: true }) owner?: QbOwner | null;
  createdAt?: Date;
  updatedAt?: Date;
  deletedAt?: Date | null;
}

/** Bulk delete hooks but no soft delete: a delete() is a real DELETE. */
@withPlugins(['qbProbe'])
@Entity()
class QbNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

/** No plugins: the builder is MikroORM's own. */
@Entity()
class QbPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
}

/** A filter of your own, no plugins: builder reads apply it as em.find does. */
@Filter({ name: 'notHidden', cond: { title: { $ne: 'hidden' } }, default: true })
@Entity()
class QbFiltered {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const entities = [QbOwner, QbDoc, QbNote, QbPlain, QbFiltered];
// Whole seconds: MariaDB's DATETIME keeps no milliseconds.
const past = new Date('2020-01-02T03:04:05.000Z');
const earlier = new Date('2001-02-03T04:05:06.000Z');

describeEachDatabase('QueryBuilder of the package EntityManager', db => {
  let orm: MikroORM | undefined;
  beforeEach(() => {
    log.length = 0;
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry }), auditLog()] }));
  const fork = (o: MikroORM) => o.em.fork() as SqlEntityManager;

  /** Raw QbDoc rows by slug, soft-deleted ones included. */
  const docs = async (o: MikroORM): Promise<Record<string, Row>> => {
    const rows = await sql(o, `select * from ${quote(o, tableOf(o, QbDoc))}`);
    return Object.fromEntries(rows.map(r => [r.slug as string, r]));
  };
  const col = (o: MikroORM, property: string) => columnOf(o, QbDoc, property);

  /** Docs a, b, c (live; c owned by a soft-deleted owner, a by a live one) and gone (soft-deleted), with old timestamps; no log, no audit. */
  const seed = async (o: MikroORM) => {
    await withoutPlugins(['audit', 'timestamp'], async () => {
      const em = o.em.fork();
      const live = em.create(QbOwner, { name: 'live' });
      const dead = em.create(QbOwner, { name: 'dead', deletedAt: earlier });
      em.create(QbDoc, { slug: 'a', title: 'A', hits: 1, owner: live, createdAt: past, updatedAt: past });
      em.create(QbDoc, { slug: 'b', title: 'B', hits: 1, createdAt: past, updatedAt: past });
      em.create(QbDoc, { slug: 'c', title: 'C', hits: 2, owner: dead, createdAt: past, updatedAt: past });
      em.create(QbDoc, { slug: 'gone', title: 'Gone', hits: 1, createdAt: past, updatedAt: past, deletedAt: earlier });
      em.create(QbNote, { title: 'n1' });
      em.create(QbNote, { title: 'n2' });
      em.create(QbPlain, { title: 'p1', deletedAt: earlier });
      await em.flush();
    });
    log.length = 0;
  };
  const slugs = (rows: readonly { slug: string }[]) => rows.map(r => r.slug).sort();

  describe('reads', () => {
    test('getResultList, getSingleResult, getCount, getResultAndCount, execute and stream hide soft-deleted rows', async () => {
      const o = await init();
      await seed(o);
      const em = fork(o);
      expect(slugs(await em.createQueryBuilder(QbDoc).getResultList())).toEqual(['a', 'b', 'c']);
      expect(slugs(await em.qb(QbDoc).getResult())).toEqual(['a', 'b', 'c']);
      expect(await em.qb(QbDoc).where({ slug: 'gone' }).getSingleResult()).toBeNull();
      expect(await em.qb(QbDoc).getCount()).toBe(3);
      const [rows, count] = await em.qb(QbDoc).where({ hits: 1 }).getResultAndCount();
      expect([slugs(rows), count]).toEqual([['a', 'b'], 2]);
      const raw = await em.qb(QbDoc).select(['slug']).execute<{ slug: string }[]>();
      expect(slugs(raw)).toEqual(['a', 'b', 'c']);
      expect(Number((await em.qb(QbDoc).count().execute<{ count: number }>('get')).count)).toBe(3);
      const streamed: string[] = [];
      for await (const doc of em.qb(QbDoc).stream()) streamed.push(doc.slug);
      expect(streamed.sort()).toEqual(['a', 'b', 'c']);
      // The repository's builder is one too.
      expect(await em.getRepository(QbDoc).createQueryBuilder().getCount()).toBe(3);
    });

    test('withDeleted(qb), onlyDeleted(qb), withQueryOptions(qb, { filters: false }) and withoutPlugins', async () => {
      const o = await init();
      await seed(o);
      const em = fork(o);
      expect(slugs(await withDeleted(em.qb(QbDoc)).getResultList())).toEqual(['a', 'b', 'c', 'gone']);
      expect(slugs(await onlyDeleted(em.qb(QbDoc)).getResultList())).toEqual(['gone']);
      expect(await onlyDeleted(em.qb(QbDoc)).getCount()).toBe(1);
      expect(await withQueryOptions(em.qb(QbDoc), { filters: false }).getCount()).toBe(4);
      expect(await withoutPlugins(['softDelete'], () => em.qb(QbDoc).getCount())).toBe(4);
      // A clone keeps its builder's options.
      const all = withDeleted(em.qb(QbDoc).where({ hits: 1 }));
      expect(slugs(await all.clone().getResultList())).toEqual(['a', 'b', 'gone']);
      expect(await all.getCount()).toBe(3);
    });

    test('joins: a left-joined soft-deleted row hydrates to null, an inner join leaves its owner out, a where-condition does not match it', async () => {
      const o = await init();
      await seed(o);
      const em = fork(o);
      const left = await em.qb(QbDoc, 'd').leftJoinAndSelect('d.owner', 'o').orderBy({ slug: 'asc' }).getResultList();
      expect(left.map(d => [d.slug, d.owner?.name ?? null])).toEqual([
        ['a', 'live'],
        ['b', null],
        ['c', null],
      ]);
      const inner = await o.em.fork().qb(QbDoc, 'd').innerJoinAndSelect('d.owner', 'o').getResultList();
      expect(slugs(inner)).toEqual(['a']);
      // A join condition of your own is kept beside the filter.
      const named = await fork(o).qb(QbDoc, 'd').leftJoinAndSelect('d.owner', 'o', { name: 'live' }).orderBy({ slug: 'asc' }).getResultList();
      expect(named.map(d => [d.slug, d.owner?.name ?? null])).toEqual([
        ['a', 'live'],
        ['b', null],
        ['c', null],
      ]);
      expect(slugs(await fork(o).qb(QbDoc).where({ owner: { name: 'dead' } }).getResultList())).toEqual([]);
      expect(slugs(await withDeleted(fork(o).qb(QbDoc)).where({ owner: { name: 'dead' } }).getResultList())).toEqual(['c']);
      // A relation's filter is added when the condition is given: options chosen after that are refused, not ignored.
      expect(() => withDeleted(fork(o).qb(QbDoc).where({ owner: { name: 'dead' } }))).toThrow(expect.objectContaining({ code: 'MOP_QB_OPTIONS_LATE', entity: 'QbDoc' }));
      expect(() => withDeleted(fork(o).qb(QbDoc, 'd').leftJoin('d.owner', 'o'))).toThrow(expect.objectContaining({ code: 'MOP_QB_OPTIONS_LATE' }));
      // A condition on the relation's key alone joins nothing, so nothing is added: MikroORM's own SQL.
      const byKey = fork(o).qb(QbDoc).where({ owner: { $ne: null } });
      expect(byKey.getFormattedQuery()).not.toMatch(/join/i);
    });

    test('a builder runs the SQL it renders: getQuery() before or after execute shows the plugin filter', async () => {
      const o = await init();
      await seed(o);
      const em = fork(o);
      const rendered = em.qb(QbDoc).where({ hits: 1 });
      const before = rendered.getFormattedQuery();
      expect(before).toMatch(/deleted_at[`"]? is null/);
      expect(slugs(await rendered.getResultList())).toEqual(['a', 'b']);
      expect(rendered.getFormattedQuery()).toBe(before);
      // A rendered builder used as a sub-query carries its filter too.
      const live = em.qb(QbDoc, 'i').select('id');
      expect(await withDeleted(em.qb(QbDoc)).where({ id: { $in: live.getNativeQuery() } }).getCount()).toBe(3);
      // Counting a rendered builder adds no second filter.
      expect(await rendered.getCount()).toBe(2);
      // applyFilters() is MikroORM's: it adds the application's filters; the plugin's is not added twice.
      const applied = em.qb(QbDoc);
      await applied.applyFilters();
      expect(applied.getFormattedQuery().match(/deleted_at[`"]? is null/g)).toHaveLength(1);
      expect(slugs(await applied.getResultList())).toEqual(['a', 'b', 'c']);
    });

    test('your own default filters apply to builder reads only on applyFilters(), as with MikroORM’s own builder', async () => {
      const o = await init();
      const em = fork(o);
      await em.insertMany(QbFiltered, [{ title: 'shown' }, { title: 'hidden' }]);
      expect((await em.find(QbFiltered, {})).map(r => r.title)).toEqual(['shown']);
      expect((await em.qb(QbFiltered).getResultList()).map(r => r.title).sort()).toEqual(['hidden', 'shown']);
      const filtered = em.qb(QbFiltered);
      await filtered.applyFilters();
      expect((await filtered.getResultList()).map(r => r.title)).toEqual(['shown']);
    });

    test('an entity without plugins: reads and writes are MikroORM’s own', async () => {
      const o = await init();
      await seed(o);
      const em = fork(o);
      expect(await em.qb(QbPlain).getCount()).toBe(1);
      await em.qb(QbPlain).update({ title: 'p2' }).where({ title: 'p1' }).execute();
      await em.qb(QbPlain).delete().where({ title: 'p2' }).execute();
      expect(await sql(o, `select * from ${quote(o, tableOf(o, QbPlain))}`)).toEqual([]);
      expect(log).toEqual([]);
    });
  });

  describe('writes', () => {
    test('update(): bulk update events with where and data, updatedAt set, soft-deleted rows left alone', async () => {
      const o = await init();
      await seed(o);
      const since = Date.now();
      const result = await fork(o).qb(QbDoc).update({ title: 'one' }).where({ hits: 1 }).execute();
      expect(result).toMatchObject({ affectedRows: 2 });
      expect(log).toEqual([
        // The timestamp plugin's hook ran first and added updatedAt.
        { event: 'beforeBulkUpdate', entity: 'QbDoc', where: { hits: 1 }, data: { title: 'one', updatedAt: 'Date' }, affected: undefined },
        { event: 'afterBulkUpdate', entity: 'QbDoc', where: { hits: 1 }, data: { title: 'one', updatedAt: 'Date' }, affected: 2 },
      ]);
      const after = await docs(o);
      expect([after.a![col(o, 'title')], after.b![col(o, 'title')], after.c![col(o, 'title')], after.gone![col(o, 'title')]]).toEqual(['one', 'one', 'C', 'Gone']);
      expect(epochMs(after.a![col(o, 'updatedAt')])).toBeGreaterThanOrEqual(Math.floor(since / 1000) * 1000);
      expect(epochMs(after.c![col(o, 'updatedAt')])).toBe(past.getTime());
      expect(epochMs(after.gone![col(o, 'updatedAt')])).toBe(past.getTime());
    });

    test('update() with withDeleted(qb) reaches soft-deleted rows: a bulk restore', async () => {
      const o = await init();
      await seed(o);
      const result = await withDeleted(fork(o).qb(QbDoc).update({ deletedAt: null }).where({ slug: 'gone' })).execute();
      expect(result).toMatchObject({ affectedRows: 1 });
      expect((await docs(o)).gone![col(o, 'deletedAt')]).toBeNull();
      expect(await fork(o).qb(QbDoc).getCount()).toBe(4);
    });

    test('delete() on a soft-delete entity is a soft update; withQueryOptions(qb, { hard: true }) deletes for real', async () => {
      const o = await init();
      await seed(o);
      const result = await fork(o).qb(QbDoc).delete({ slug: 'a' }).execute();
      expect(result).toMatchObject({ affectedRows: 1 });
      expect(log.map(l => l.event)).toEqual(['beforeBulkDelete', 'beforeBulkUpdate', 'afterBulkUpdate']);
      expect(Object.keys(log[1]!.data)).toEqual(expect.arrayContaining(['deletedAt', 'updatedAt']));
      let after = await docs(o);
      expect(after.a![col(o, 'deletedAt')]).not.toBeNull();
      // Deleting again touches nothing: the filter hides the row.
      expect(await fork(o).qb(QbDoc).delete().where({ slug: 'a' }).execute()).toMatchObject({ affectedRows: 0 });
      log.length = 0;
      expect(await withQueryOptions(fork(o).qb(QbDoc).delete().where({ slug: 'b' }), { hard: true }).execute()).toMatchObject({ affectedRows: 1 });
      expect(log.map(l => [l.event, l.affected])).toEqual([
        ['beforeBulkDelete', undefined],
        ['afterBulkDelete', 1],
      ]);
      after = await docs(o);
      expect(Object.keys(after).sort()).toEqual(['a', 'c', 'gone']);
    });

    test('delete() on an entity with bulk delete hooks and no soft delete deletes, with the events', async () => {
      const o = await init();
      await seed(o);
      await fork(o).qb(QbNote).delete().where({ title: 'n1' }).execute();
      expect(log.map(l => [l.event, l.entity, l.where, l.affected])).toEqual([
        ['beforeBulkDelete', 'QbNote', { title: 'n1' }, undefined],
        ['afterBulkDelete', 'QbNote', { title: 'n1' }, 1],
      ]);
      expect((await sql(o, `select title from ${quote(o, tableOf(o, QbNote))}`)).map(r => r.title)).toEqual(['n2']);
    });

    test('audit: one bulkUpdate row for update(), one bulkSoftDelete row for delete()', async () => {
      const o = await init();
      await seed(o);
      await fork(o).qb(QbDoc).update({ title: 'audited' }).where({ slug: 'a' }).execute();
      await fork(o).qb(QbDoc).delete().where({ slug: 'b' }).execute();
      const rows = await auditRows(o);
      expect(rows.map(r => [r.entityName, r.operation])).toEqual([
        ['QbDoc', 'bulkUpdate'],
        ['QbDoc', 'bulkSoftDelete'],
      ]);
      expect(rows[0]!.changes).toEqual({ where: { slug: 'a' }, data: { title: 'audited' }, count: 1 });
      expect(rows[1]!.changes).toMatchObject({ where: { slug: 'b' }, count: 1 });
    });

    test('where, andWhere, orWhere and keys prefixed with the alias combine as MikroORM combines them', async () => {
      const o = await init();
      await seed(o);
      await fork(o).qb(QbDoc, 'd').update({ hits: 7 }).where({ 'd.hits': 1 }).andWhere({ slug: { $ne: 'b' } }).orWhere({ slug: 'c' }).execute();
      expect(log[0]!.where).toEqual({ $or: [{ $and: [{ hits: 1 }, { slug: { $ne: 'b' } }] }, { slug: 'c' }] });
      const after = await docs(o);
      expect([after.a, after.b, after.c, after.gone].map(r => Number(r![col(o, 'hits')]))).toEqual([7, 1, 7, 1]);
    });

    test('a write the plugins could not see is refused with QueryBuilderError (MOP_QB_UNSUPPORTED); nothing is written', async () => {
      const o = await init();
      await seed(o);
      const before = await docs(o);
      const em = fork(o);
      const refused = [
        em.qb(QbDoc, 'd').update({ title: 'x' }).where('1 = 1'),
        em.qb(QbDoc).update({ title: 'x' }).where({ slug: 'a' }).andWhere(raw('1 = 1')),
        em.qb(QbDoc).update({ title: 'x' }).where({ slug: 'a' }).limit(1),
        em.qb(QbDoc).delete().where({ hits: 1 }).orderBy({ slug: 'asc' }),
        em.qb(QbDoc, 'd').delete().leftJoin('d.owner', 'o').where({ 'o.name': 'live' }),
      ];
      for (const qb of refused) {
        await expect(qb.execute()).rejects.toBeInstanceOf(QueryBuilderError);
      }
      await expect(em.qb(QbDoc).update({ title: 'x' }).where({ slug: 'a' }).limit(1).execute()).rejects.toMatchObject({ code: 'MOP_QB_UNSUPPORTED', entity: 'QbDoc' });
      expect(await docs(o)).toEqual(before);
      expect(log).toEqual([]);
      // With the plugins switched off the builder is MikroORM's own again.
      await withoutPlugins(['timestamp', 'softDelete', 'audit', 'qbProbe'], () => em.qb(QbDoc).update({ title: 'raw' }).where('1 = 1').execute());
      expect(Object.values(await docs(o)).map(r => r[col(o, 'title')])).toEqual(['raw', 'raw', 'raw', 'raw']);
    });

    test('a raw() key in the where reaches the UPDATE', async () => {
      const o = await init();
      await seed(o);
      const hits = quote(o, col(o, 'hits'));
      await fork(o).qb(QbDoc).update({ title: 'two' }).where({ [raw(`${hits} + 0`)]: 2 }).execute();
      const after = await docs(o);
      expect([after.a, after.b, after.c].map(r => r![col(o, 'title')])).toEqual(['A', 'B', 'two']);
    });

    test('not covered: insert() and truncate() are MikroORM’s own (no afterBulkInsert, so no audit row; no events)', async () => {
      const o = await init();
      await seed(o);
      await fork(o).qb(QbDoc).insert({ slug: 'd', title: 'D', createdAt: past, updatedAt: past }).execute();
      expect((await docs(o)).d![col(o, 'title')]).toBe('D');
      await fork(o).qb(QbNote).truncate().execute();
      expect(await sql(o, `select * from ${quote(o, tableOf(o, QbNote))}`)).toEqual([]);
      expect(log).toEqual([]);
      expect(await auditRows(o)).toEqual([]);
    });

    test('in a transaction: an after-hook that throws rolls the update back', async () => {
      const o = await init();
      await seed(o);
      await expect(fork(o).qb(QbDoc).update({ title: 'boom' }).where({ slug: 'a' }).execute()).rejects.toThrow('boom');
      expect((await docs(o)).a![col(o, 'title')]).toBe('A');
      await expect(
        fork(o).transactional(async tx => {
          await tx.qb(QbDoc).update({ title: 'kept?' }).where({ slug: 'b' }).execute();
          await tx.qb(QbDoc).update({ title: 'boom' }).where({ slug: 'c' }).execute();
        }),
      ).rejects.toThrow('boom');
      const after = await docs(o);
      expect([after.b![col(o, 'title')], after.c![col(o, 'title')]]).toEqual(['B', 'C']);
    });
  });
});
