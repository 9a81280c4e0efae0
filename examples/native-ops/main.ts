import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import {
  hook,
  plugin,
  pluginSystem,
  RowLimitError,
  softDeleteProperties,
  timestampProperties,
  usePlugins,
  type HookContext,
} from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    bulkLog: true;
  }
}

// Bulk hooks get (entityName, where, data, ctx): there are no entities, only the query.
@plugin('bulkLog')
export class BulkLogPlugin {
  @hook('afterBulkUpdate')
  updated(entityName: string, where: unknown, data: Record<string, unknown>, ctx: HookContext): void {
    console.log(`  [bulkLog] ${ctx.event} ${entityName} where ${JSON.stringify(where)} set ${Object.keys(data).join(', ')}`);
  }
}

const Ticket = usePlugins(
  defineEntity({
    name: 'Ticket',
    properties: { id: p.integer().primary(), code: p.string().unique(), status: p.string(), ...timestampProperties(), ...softDeleteProperties() },
  }),
  ['timestamp', 'softDelete', 'bulkLog'],
);

const orm = await MikroORM.init({ dbName: ':memory:', entities: [Ticket], extensions: [pluginSystem({ rowLimit: 500 })] });
await orm.schema.create();
const em = orm.em.fork();
const table = async (label: string) =>
  console.log(label, await orm.em.getConnection().execute('select code, status, created_at is not null as created, deleted_at is not null as deleted from ticket'));

// insert and insertMany run the beforeCreate chain on the data: both timestamps are set.
await em.insertMany(Ticket, [
  { code: 'T-1', status: 'open' },
  { code: 'T-2', status: 'open' },
  { code: 'T-3', status: 'open' },
]);

// nativeUpdate fires beforeBulkUpdate (timestamp adds updatedAt) and afterBulkUpdate.
await em.nativeUpdate(Ticket, { code: 'T-1' }, { status: 'closed' });

// nativeDelete on a soft-delete entity becomes an UPDATE of deletedAt; `hard: true` really deletes.
const softDeleted = await em.nativeDelete(Ticket, { status: 'closed' });
const hardDeleted = await em.nativeDelete(Ticket, { code: 'T-2' }, { hard: true });
console.log(`soft-deleted ${softDeleted}, hard-deleted ${hardDeleted}`);

// upsertMany runs beforeUpsert (and beforeSave) per row; an existing row keeps its createdAt.
await em.upsertMany(Ticket, [
  { code: 'T-3', status: 'reopened' },
  { code: 'T-4', status: 'open' },
]);

// perRow loads the rows and flushes them, so the per-entity hooks run; over the limit, nothing is written.
try {
  await em.nativeUpdate(Ticket, {}, { status: 'archived' }, { perRow: true, rowLimit: 1 });
} catch (error) {
  if (!(error instanceof RowLimitError)) throw error;
  console.log('perRow refused:', error.message);
}
const archived = await em.nativeUpdate(Ticket, { code: 'T-4' }, { status: 'archived' }, { perRow: true });
console.log(`perRow archived ${archived}`);
await table('rows:');
await orm.close();
