// Installed with nothing attached, the package must be invisible: the same SQL in the same order, the same
// results and errors, the same EntityManager class and subscribers as bare MikroORM. Each scenario runs twice,
// without and with `pluginSystem()`, and the two transcripts must be equal.
import { Collection, type MikroORM, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Filter, ManyToMany, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { expect, test } from 'vitest';
import { PluginRegistry, TimestampPlugin, pluginSystem } from '../src/index.js';
import { describeEachDatabase, type Database } from './support/databases.js';
import { queryLog } from './support/fixtures-sql.js';

@Entity()
class IdleTag {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

@Entity()
class IdleAuthor {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany(() => IdleBook, book => book.author) books = new Collection<IdleBook>(this);
}

/** A default filter of the application's own: MikroORM's QueryBuilder ignores it unless asked. */
@Filter({ name: 'visible', cond: { hidden: false }, default: true })
@Entity()
class IdleBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', unique: true }) title!: string;
  @Property({ type: 'boolean' }) hidden: Opt<boolean> = false;
  @ManyToOne(() => IdleAuthor, { ref: true }) author!: Ref<IdleAuthor>;
  @ManyToMany(() => IdleTag) tags = new Collection<IdleTag>(this);
}

const entities = [IdleTag, IdleAuthor, IdleBook];
/** MikroORM logs a query when it completes: one connection makes that the order the queries were sent in. */
const ONE_CONNECTION = { pool: { min: 0, max: 1 } };

/** The same table as IdleStamped below, for the bare run: the schema (and so the SQL of schema creation) matches. */
@Entity({ tableName: 'idle_stamped' })
class IdleStampedBare {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

/** What an application does and sees: every query, in order, and every result or error. */
async function transcript(db: Database, extensions: unknown[], extra: readonly Function[] = []): Promise<{ sql: string[]; seen: unknown[]; orm: MikroORM }> {
  const log = queryLog();
  const orm = await db.init({ entities: [...entities, ...extra], extensions: extensions as never, ...log.options, dataloader: true, ...ONE_CONNECTION });
  log.clear();
  const seen: unknown[] = [];
  const em = orm.em.fork();
  const ann = em.create(IdleAuthor, { name: 'Ann' });
  const bob = em.create(IdleAuthor, { name: 'Bob' });
  const red = em.create(IdleTag, { label: 'red' });
  em.create(IdleBook, { title: 'a', author: ann, tags: [red] });
  em.create(IdleBook, { title: 'b', author: bob, hidden: true });
  await em.flush();

  const read = orm.em.fork();
  // Reads started together: their queries interleave by microtask, so an extra await anywhere shows.
  const [authors, count, tags] = await Promise.all([
    read.find(IdleAuthor, {}, { populate: ['books', 'books.tags'], orderBy: { id: 'asc' } }),
    read.count(IdleBook),
    read.find(IdleTag, {}),
  ]);
  seen.push(authors.map(a => [a.name, a.books.getItems().map(b => [b.title, b.tags.getItems().map(t => t.label)])]), count, tags.length);
  // Dataloader: references loaded together become one query.
  const refs = orm.em.fork();
  const books = await refs.find(IdleBook, {}, { filters: false, orderBy: { id: 'asc' } });
  seen.push((await Promise.all(books.map(b => b.author.load()))).map(a => a?.name));

  // QueryBuilder: rendered first, then run; the application's filter is not applied unless asked.
  const qb = orm.em.fork().createQueryBuilder(IdleBook, 'b').where({ title: { $in: ['a', 'b'] } });
  seen.push(qb.getFormattedQuery());
  seen.push((await qb.getResultList()).map(b => b.title).sort());
  const asked = orm.em.fork().createQueryBuilder(IdleBook);
  await asked.applyFilters();
  seen.push((await asked.getResultList()).map(b => b.title));
  seen.push(await orm.em.fork().createQueryBuilder(IdleBook).update({ hidden: false }).where({ title: 'b' }).execute('run').then(r => (r as { affectedRows: number }).affectedRows));

  // Native operations, upserts and the error of a unique violation.
  const native = orm.em.fork();
  await native.upsert(IdleBook, { title: 'a', hidden: true, author: 1 }, { onConflictFields: ['title'] });
  seen.push(await native.nativeUpdate(IdleBook, { title: 'a' }, { hidden: false }));
  seen.push(await native.insert(IdleTag, { label: 'blue' }));
  seen.push(await orm.em.fork().insert(IdleBook, { title: 'a', author: 1 }).then(() => 'inserted', (e: Error) => e.constructor.name));
  seen.push(await native.nativeDelete(IdleTag, { label: 'blue' }));
  const sql = log.queries.map(q => q.replace(/ \[took \d+ ms[^\]]*\]/g, '').replace(/\s+/g, ' '));
  return { sql, seen, orm };
}

describeEachDatabase('installed with nothing attached', db => {
  test('every query, its order, every result and error are bare MikroORM’s', async () => {
    const bare = await transcript(db, []);
    const bareClass = bare.orm.em.constructor;
    const bareSubscribers = bare.orm.em.getEventManager().getSubscribers().size;
    await bare.orm.close(true);
    const installed = await transcript(db, [pluginSystem()]);
    try {
      expect(installed.seen).toEqual(bare.seen);
      expect(installed.sql).toEqual(bare.sql);
      // Nothing of the package is wired in: MikroORM's own EntityManager class and subscribers.
      expect(installed.orm.em.constructor).toBe(bareClass);
      expect(installed.orm.em.getEventManager().getSubscribers().size).toBe(bareSubscribers);
    } finally {
      await installed.orm.close(true);
    }
  });

  test('with a plugin attached to other entities, reads of these run the same queries in the same order', async () => {
    const bare = await transcript(db, [], [IdleStampedBare]);
    await bare.orm.close(true);
    // timestamp on an entity the scenario never touches: the EntityManager is the package's, the reads must not change.
    @Entity()
    class IdleStamped {
      @PrimaryKey({ type: 'integer' }) id!: number;
      createdAt?: Date;
    }
    const registry = new PluginRegistry().register('timestamp', TimestampPlugin);
    const attached = await transcript(db, [pluginSystem({ registry, entities: { IdleStamped: ['timestamp'] } })], [IdleStamped]);
    try {
      expect(attached.orm.em.constructor).not.toBe(bare.orm.em.constructor);
      expect(attached.seen).toEqual(bare.seen);
      expect(attached.sql).toEqual(bare.sql);
    } finally {
      await attached.orm.close(true);
    }
  });
});
