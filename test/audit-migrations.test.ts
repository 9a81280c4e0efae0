import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { afterEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { pluginSystem, PluginRegistry } from '../src/index.js';

@Entity()
export class MigratedNote {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const registry = new PluginRegistry().register('audit', AuditPlugin);
const folders: string[] = [];
afterEach(() => folders.splice(0).forEach(dir => rmSync(dir, { recursive: true, force: true })));

async function firstMigration(table?: string): Promise<string> {
  const path = mkdtempSync(join(tmpdir(), 'mop-migrations-'));
  folders.push(path);
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities: [MigratedNote],
    extensions: [Migrator, pluginSystem({ registry }), auditLog(table === undefined ? {} : { table })],
    migrations: { path, snapshot: false },
  });
  try {
    const { diff } = await orm.migrator.create();
    return diff.up.join('\n');
  } finally {
    await orm.close();
  }
}

test('a generated migration creates the audit table next to the audited entity', async () => {
  const up = await firstMigration();
  expect(up).toMatch(/create table `migrated_note`/);
  expect(up).toMatch(/create table `audit_log`[^;]*`entity_name`[^;]*`flush_id`/);
});

test('with a configured table name, the migration creates that table instead', async () => {
  const up = await firstMigration('change_history');
  expect(up).toMatch(/create table `change_history`/);
  expect(up).not.toMatch(/audit_log/);
});
