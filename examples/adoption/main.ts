// Adopting the plugins on a database that already has rows: a migration generated as usual adds the columns.
// The same flow on SQLite, PostgreSQL and MariaDB is tested in test/adoption.test.ts.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import { pluginSystem, usePlugins } from 'mikro-orm-plugins';

const folder = join(process.cwd(), '.tmp', 'example-adoption');
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
const file = join(folder, 'app.sqlite');

const entities = () => {
  const Customer = defineEntity({ name: 'Customer', properties: { id: p.integer().primary(), name: p.string() } });
  const Invoice = defineEntity({ name: 'Invoice', properties: { id: p.integer().primary(), total: p.integer(), created: p.datetime().fieldName('created_at') } });
  return { Customer, Invoice };
};

// Version 1 of the application, without the plugins: two tables with rows.
{
  const { Customer, Invoice } = entities();
  const v1 = await MikroORM.init({ dbName: file, entities: [Customer, Invoice] });
  await v1.schema.create();
  await v1.em.fork().insertMany(Customer, [{ name: 'Ada' }, { name: 'Grace' }]);
  await v1.em.fork().insertMany(Invoice, [{ total: 120, created: new Date('2024-05-06T07:08:09Z') }]);
  await v1.close();
}

// Version 2 adds the plugins. Invoice already maps created_at (as `created`): the plugin reuses it.
// Each added column can be renamed (`columns`) or left out (`false`).
const { Customer, Invoice } = entities();
usePlugins(Invoice, [{ timestamp: { updatedAt: false } }, { softDelete: { batchField: false, columns: { deletedAt: 'voided_at' } } }]);

const orm = await MikroORM.init({
  dbName: file,
  entities: [Customer, Invoice],
  extensions: [Migrator, pluginSystem({ global: ['timestamp', 'softDelete'] })],
  migrations: { path: join(folder, 'migrations'), emit: 'cjs', snapshot: false, silent: true },
});

// A migration generated as usual adds the columns to the tables with rows; `orm.schema.update()` does the same.
const { diff } = await orm.migrator.create();
await orm.migrator.up();

console.log(diff.up.join('\n'));
const show = async (table: string) => {
  for (const row of await orm.em.getConnection().execute(`select * from ${table} order by id`)) console.log(table, JSON.stringify(row));
};
await show('customer');
await show('invoice');

// SQLite cannot add a column with a current-time default to a table with rows: the existing rows
// have NULL timestamps until you backfill them (one statement, e.g. in the migration's up()).
await orm.em.getConnection().execute("update customer set created_at = strftime('%s', 'now') * 1000, updated_at = strftime('%s', 'now') * 1000 where created_at is null");

const em = orm.em.fork();
const ada = await em.findOneOrFail(Customer, { name: 'Ada' });
em.remove(ada);
em.create(Customer, { name: 'Linus' });
await em.flush();
const live = await orm.em.fork().find(Customer, {}, { orderBy: { id: 'asc' } });
console.log('live customers:', live.map(c => c.name).join(', '));
console.log('every row has a creation time:', (await orm.em.fork().find(Customer, {}, { filters: false })).every(c => (c as { createdAt?: Date }).createdAt instanceof Date));
await orm.close();
