import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { pluginSystem, PluginRegistry, restore, SoftDeletePlugin, withPlugins } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

@withPlugins([{ softDelete: { unique: ['email'] } }])
@Entity()
export class UqMember {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', length: 100 }) email!: string;
  declare deletedAt?: Date | null;
}

@withPlugins([{ softDelete: { field: 'removedAt', unique: [['tenant', 'slug']] } }])
@Entity()
export class UqPage {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', length: 50 }) tenant!: string;
  @Property({ type: 'string', length: 100 }) slug!: string;
  declare removedAt?: Date | null;
}

const registry = new PluginRegistry().register('softDelete', SoftDeletePlugin);

describeEachDatabase('soft-delete-aware unique constraints', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await db.init({ entities: [UqMember, UqPage], extensions: [pluginSystem({ registry })] });
  });
  afterEach(() => orm.close());

  async function add<T extends object>(entity: new () => T, data: Record<string, unknown>): Promise<T> {
    const em = orm.em.fork();
    const row = em.create(entity, data as never);
    await em.flush();
    return row;
  }

  async function softDelete(entity: new () => object, id: number): Promise<void> {
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(entity, id as never));
    await em.flush();
  }

  test('two live rows with the same email are refused', async () => {
    await add(UqMember, { email: 'a@x.io' });
    await expect(add(UqMember, { email: 'a@x.io' })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  test('the email can be registered again once the first member is soft-deleted', async () => {
    const first = await add(UqMember, { email: 'a@x.io' });
    await softDelete(UqMember, first.id);
    await add(UqMember, { email: 'a@x.io' });
    const all = await orm.em.fork().find(UqMember, {}, { filters: false, orderBy: { id: 'asc' } });
    expect(all.map(m => [m.email, m.deletedAt != null])).toEqual([
      ['a@x.io', true],
      ['a@x.io', false],
    ]);
  });

  test('several deleted rows may share the email', async () => {
    for (let i = 0; i < 3; i++) await softDelete(UqMember, (await add(UqMember, { email: 'same@x.io' })).id);
    expect(await orm.em.fork().count(UqMember, {}, { filters: false })).toBe(3);
  });

  test('restoring a row whose email is live again is refused', async () => {
    const first = await add(UqMember, { email: 'a@x.io' });
    await softDelete(UqMember, first.id);
    await add(UqMember, { email: 'a@x.io' });
    const em = orm.em.fork();
    restore(em, await em.findOneOrFail(UqMember, first.id, { filters: false }));
    await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  test('a composite constraint with a custom field: per tenant, live rows only', async () => {
    const page = await add(UqPage, { tenant: 't1', slug: 'home' });
    await add(UqPage, { tenant: 't2', slug: 'home' });
    await expect(add(UqPage, { tenant: 't1', slug: 'home' })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await softDelete(UqPage, page.id);
    await add(UqPage, { tenant: 't1', slug: 'home' });
    expect(await orm.em.fork().count(UqPage, { tenant: 't1' }, { filters: false })).toBe(2);
  });
});
