// The QueryBuilder of the package's EntityManager adds the plugins' query filters, and nothing else:
// a builder of an entity whose plugins filter nothing renders and runs MikroORM's own SQL, and a plugin
// filter that is asynchronous can run but not be rendered before it runs.
import type { Opt } from '@mikro-orm/core';
import { Entity, Filter, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, TimestampPlugin, hook, plugin, pluginSystem, withPlugins, type QueryFilterContext } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    tenantScope: Record<string, never>;
  }
}

const registry = new PluginRegistry().register('timestamp', TimestampPlugin);

/** Scopes reads to tenant 1, answering asynchronously (as a lookup in a store would). */
@plugin({ name: 'tenantScope', registry })
class TenantScopePlugin {
  @hook('queryFilter')
  async scope(_ctx: QueryFilterContext): Promise<object> {
    await Promise.resolve();
    return { tenant: 1 };
  }
}
void TenantScopePlugin;

/** timestamp only: no query filter, so its builders are MikroORM's own, SQL included. */
@withPlugins(['timestamp'])
@Filter({ name: 'visible', cond: { hidden: false }, default: true })
@Entity()
class QfNote {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) hidden: Opt<boolean> = false;
  createdAt?: Date;
  updatedAt?: Date;
}

@withPlugins(['tenantScope'])
@Entity()
class QfScoped {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'integer' }) tenant!: number;
}

/** The same table as QfNote, for a bare ORM. */
@Filter({ name: 'visible', cond: { hidden: false }, default: true })
@Entity({ tableName: 'qf_note' })
class QfNoteBare {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'boolean' }) hidden: Opt<boolean> = false;
  @Property({ type: 'Date', nullable: true }) createdAt?: Date;
  @Property({ type: 'Date', nullable: true }) updatedAt?: Date;
}

describeEachDatabase('QueryBuilder and plugin filters', db => {
  let orms: TestOrm[] = [];
  afterEach(async () => {
    for (const orm of orms) await orm.close(true);
    orms = [];
  });
  const init = async (options: Parameters<typeof db.init>[0]) => {
    const orm = await db.init(options);
    orms.push(orm);
    return orm;
  };

  test('an entity whose plugins filter nothing: the builder renders and runs the SQL MikroORM’s own does', async () => {
    // The bare ORM first: on a server, each init empties the database.
    const bare = await init({ entities: [QfNoteBare] });
    const ours = await init({ entities: [QfNote, QfScoped], extensions: [pluginSystem({ registry })] });
    const em = ours.em.fork();
    await em.insertMany(QfNote, [{ title: 'a' }, { title: 'b', hidden: true }]);
    const build = (qb: any) => qb.select(['id', 'title']).where({ title: { $ne: 'x' } }).orderBy({ id: 'asc' });
    const mine = build(em.createQueryBuilder(QfNote, 'n'));
    const theirs = build(bare.em.fork().createQueryBuilder(QfNoteBare, 'n'));
    expect(mine.getFormattedQuery()).toBe(theirs.getFormattedQuery());
    // Rendered first, then run; the application's own filter is not applied unless asked.
    expect((await mine.getResultList()).map((n: QfNote) => n.title)).toEqual(['a', 'b']);
    const asked = em.createQueryBuilder(QfNote);
    await asked.applyFilters();
    expect((await asked.getResultList()).map(n => n.title)).toEqual(['a']);
  });

  test('an asynchronous plugin filter: the builder runs filtered; rendering first throws MOP_QB_ASYNC_FILTER until applyFilters()', async () => {
    const orm = await init({ entities: [QfNote, QfScoped], extensions: [pluginSystem({ registry })] });
    const em = orm.em.fork();
    await em.insertMany(QfScoped, [{ tenant: 1 }, { tenant: 2 }]);
    expect((await em.createQueryBuilder(QfScoped).getResultList()).map(r => r.tenant)).toEqual([1]);
    expect(await em.createQueryBuilder(QfScoped).getCount()).toBe(1);
    expect(() => em.createQueryBuilder(QfScoped).getQuery()).toThrow(expect.objectContaining({ code: 'MOP_QB_ASYNC_FILTER', entity: 'QfScoped' }));
    const ready = em.createQueryBuilder(QfScoped);
    await ready.applyFilters();
    expect(ready.getFormattedQuery()).toMatch(/tenant[`"]? = 1/);
    expect((await ready.getResultList()).map(r => r.tenant)).toEqual([1]);
  });
});
