import { connect } from 'node:net';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { describe } from 'vitest';

export type DatabaseName = 'sqlite' | 'postgresql' | 'mariadb';
export type TestOrm = MikroORM<any, SqlEntityManager>;
export type TestOptions = Partial<Options>;

export interface Database {
  readonly name: DatabaseName;
  /** Why the server-backed suites are skipped, or undefined when the server answers. */
  readonly unavailable: string | undefined;
  /** A fresh ORM on an empty database, schema created. */
  init(options: TestOptions): Promise<TestOrm>;
  /** The same, made with the synchronous `new MikroORM(options)` instead of `MikroORM.init`. */
  construct(options: TestOptions): Promise<TestOrm>;
}

function reachable(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

// Parallel runs (several checkouts on one machine) set TEST_DB_NAME to keep off each other's tables.
const dbName = process.env.TEST_DB_NAME ?? 'test';

// CI sets REQUIRE_DATABASES=1 so a missing server fails the run instead of skipping.
const required = process.env.REQUIRE_DATABASES === '1';
const [pgUp, mariaUp] = await Promise.all([reachable(5432), reachable(3306)]);

function unavailable(up: boolean, what: string): string | undefined {
  if (up) return undefined;
  if (required) throw new Error(`${what} is required (REQUIRE_DATABASES=1) but not reachable`);
  return `${what} not reachable`;
}

async function wipe(orm: TestOrm, name: DatabaseName): Promise<void> {
  const connection = orm.em.getConnection();
  if (name === 'postgresql') await connection.execute('drop schema if exists public cascade; create schema public;');
  if (name === 'mariadb') {
    const tables = await connection.execute<{ name: string }[]>(
      "select table_name as name from information_schema.tables where table_schema = database()",
    );
    if (tables.length === 0) return;
    const list = tables.map((t: { name: string }) => `\`${t.name}\``).join(', ');
    await orm.em.transactional(async em => {
      await em.execute('set foreign_key_checks = 0');
      await em.execute(`drop table if exists ${list}`);
      await em.execute('set foreign_key_checks = 1');
    });
  }
}

async function initOn(name: DatabaseName, base: TestOptions, options: TestOptions, sync = false): Promise<TestOrm> {
  const all = { ...base, ...options, allowGlobalContext: true };
  const orm = (sync ? new MikroORM(all) : await MikroORM.init(all)) as TestOrm;
  if (name !== 'sqlite') await orm.schema.ensureDatabase();
  await wipe(orm, name);
  await orm.schema.create();
  return orm;
}

const SQLITE: TestOptions = { driver: SqliteDriver, dbName: ':memory:' };
const POSTGRESQL: TestOptions = { driver: PostgreSqlDriver, dbName, host: '127.0.0.1', port: 5432, user: 'postgres', pool: { min: 0, max: 4 } };
const MARIADB: TestOptions = { driver: MariaDbDriver, dbName, host: '127.0.0.1', port: 3306, user: 'root', password: '', pool: { min: 0, max: 4 } };

export const sqlite: Database = {
  name: 'sqlite',
  unavailable: undefined,
  init: options => initOn('sqlite', SQLITE, options),
  construct: options => initOn('sqlite', SQLITE, options, true),
};

export const postgresql: Database = {
  name: 'postgresql',
  unavailable: unavailable(pgUp, 'PostgreSQL on 127.0.0.1:5432'),
  init: options => initOn('postgresql', POSTGRESQL, options),
  construct: options => initOn('postgresql', POSTGRESQL, options, true),
};

export const mariadb: Database = {
  name: 'mariadb',
  unavailable: unavailable(mariaUp, 'MariaDB on 127.0.0.1:3306'),
  init: options => initOn('mariadb', MARIADB, options),
  construct: options => initOn('mariadb', MARIADB, options, true),
};

export const databases: readonly Database[] = [sqlite, postgresql, mariadb];

// TEST_DATABASES=sqlite,postgresql runs the per-database suites on those alone (CI's second run, on the newest MikroORM).
const chosen = process.env.TEST_DATABASES?.split(',').map(name => name.trim());
const unknownChoice = chosen?.find(name => !databases.some(db => db.name === name));
if (unknownChoice !== undefined) throw new Error(`TEST_DATABASES: unknown database '${unknownChoice}' (sqlite, postgresql, mariadb)`);

/** Runs a suite on every database; a suite without its server is skipped and says why in its title. */
export function describeEachDatabase(title: string, suite: (db: Database) => void): void {
  for (const db of databases) {
    if (chosen && !chosen.includes(db.name)) {
      describe.skip(`${title} [${db.name}] (skipped: not in TEST_DATABASES)`, () => suite(db));
    } else if (db.unavailable) {
      console.warn(`[mikro-orm-plugins tests] skipping "${title}" on ${db.name}: ${db.unavailable}`);
      describe.skip(`${title} [${db.name}] (skipped: ${db.unavailable})`, () => suite(db));
    } else {
      describe(`${title} [${db.name}]`, () => suite(db));
    }
  }
}

/** The connection options of `orm`'s database, for a second instance on it (as a second process would be). */
export function sameDatabase(orm: TestOrm): TestOptions {
  const c = orm.config;
  return {
    driver: c.get('driver'),
    dbName: c.get('dbName'),
    host: c.get('host'),
    port: c.get('port'),
    user: c.get('user'),
    password: c.get('password'),
    allowGlobalContext: true,
  };
}
