// Two instances of one app on one database, as two processes would be, for the propagation suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe } from 'vitest';
import { describeChain, hook, plugin, pluginSystem, PluginRegistry, withPlugins } from '../../src/index.js';
import { operationsOf, pluginOperations, refreshPluginState, type PluginOperationsOptions } from '../../src/operations/index.js';
import { type Database, type TestOrm, sameDatabase } from './databases.js';

declare module '../../src/plugin-api.js' {
  interface PluginOptionsMap {
    propProbe: Record<string, never>;
  }
}

@withPlugins(['propProbe'])
@Entity()
export class PropPost {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

export function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  @plugin({ name: 'propProbe', registry, version: '1.0.0' })
  class PropProbe {
    @hook('beforeCreate', { priority: 10 }) probe() {}
  }
  void PropProbe;
  return registry;
}

/** Polling off and no safety poll: only a notification (or a reconnect's refresh) brings a change. */
export const NOTIFY_ONLY = { pollInterval: false, notify: { safetyPollInterval: false } } as const;

const dirs: string[] = [];
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A database both instances share: a file for SQLite, the test database otherwise. */
export function sharedConnection(db: Database): Record<string, unknown> {
  if (db.name !== 'sqlite') return {};
  const dir = mkdtempSync(join(tmpdir(), 'mop-propagation-'));
  dirs.push(dir);
  return { dbName: join(dir, 'state.sqlite') };
}

/** Instance A: a fresh database with the state tables and synced rows. */
export async function firstInstance(db: Database, connection: Record<string, unknown>, ops: PluginOperationsOptions): Promise<TestOrm> {
  const orm = await db.init({ ...connection, entities: [PropPost], extensions: [pluginSystem({ registry: newRegistry() }), pluginOperations(ops)] });
  if (ops.state !== false) await refreshPluginState(orm, { force: true });
  return orm;
}

/** Instance B on A's database, with its own registry, runtime and snapshot. */
export async function nextInstance(first: TestOrm, ops: PluginOperationsOptions): Promise<TestOrm> {
  return (await MikroORM.init({
    ...sameDatabase(first),
    entities: [PropPost],
    extensions: [pluginSystem({ registry: newRegistry() }), pluginOperations(ops)],
  })) as TestOrm;
}

/** Whether the probe runs on PropPost in this instance's chain. */
export const probeRuns = (orm: TestOrm) => describeChain(orm, PropPost, 'beforeCreate').some(h => h.plugin === 'propProbe');

/** Resolves after the next refresh a notification (or reconnect) causes on this instance. */
export function nextRefresh(orm: TestOrm): Promise<void> {
  return new Promise(resolve => {
    const off = operationsOf(orm).propagation!.onRefresh(() => (off(), resolve()));
  });
}

/** Polls a condition a bounded number of times: no timing assertion, only "eventually, within N tries". */
export async function eventually(condition: () => boolean | Promise<boolean>, attempts = 400, pause = 25): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await new Promise(resolve => setTimeout(resolve, pause));
  }
  return false;
}

/** A suite that needs the given servers; skipped (saying why) when one is missing or its database not chosen. */
export function describeWith(title: string, db: Database, extra: string | undefined, suite: () => void): void {
  const chosen = process.env.TEST_DATABASES?.split(',').map(name => name.trim());
  const why = chosen && !chosen.includes(db.name) ? 'not in TEST_DATABASES' : (db.unavailable ?? extra);
  if (why) describe.skip(`${title} [${db.name}] (skipped: ${why})`, suite);
  else describe(`${title} [${db.name}]`, suite);
}
