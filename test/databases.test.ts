import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { expect, test } from 'vitest';
import { pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

@withPlugins(['timestamp'])
@Entity()
class Probe {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  createdAt?: Date;
}

describeEachDatabase('database harness', db => {
  test('creates the schema with plugin columns and round-trips a row', async () => {
    const orm = await db.init({ entities: [Probe], extensions: [pluginSystem()] });
    try {
      const em = orm.em.fork();
      em.create(Probe, { name: 'x' });
      await em.flush();
      const [row] = await orm.em.fork().find(Probe, {});
      expect(row!.createdAt).toBeInstanceOf(Date);
    } finally {
      await orm.close();
    }
  });
});
