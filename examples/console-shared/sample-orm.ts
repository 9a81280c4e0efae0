// The application behind the framework examples: one soft-deleted, audited entity, plugin state in the database.
import { defineEntity, MikroORM, p } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { auditLog } from 'mikro-orm-plugins/audit';
import { pluginOperations, syncPluginState } from 'mikro-orm-plugins/operations';
import { pluginSystem, softDeleteProperties, usePlugins } from 'mikro-orm-plugins';

const Invoice = usePlugins(
  defineEntity({ name: 'Invoice', properties: { id: p.integer().primary(), total: p.integer(), ...softDeleteProperties() } }),
  ['softDelete', 'audit'],
);

export async function openSampleOrm(): Promise<MikroORM> {
  const orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities: [Invoice], extensions: [pluginSystem(), pluginOperations(), auditLog()] });
  await orm.schema.create();
  await syncPluginState(orm);
  return orm;
}
