// The four MikroORM variants every flush and read scenario compares, on one entity shape:
//
//   a  bare MikroORM: the entity, no hooks, no subscriber, no extension
//   b  hand-written MikroORM: entity hooks (EntitySchema `hooks`) set createdAt/updatedAt, an
//      EventSubscriber runs the same zod schema in beforeCreate/beforeUpdate; soft delete is an
//      onFlush subscriber turning deletes into updates plus an entity filter (MikroORM's documented recipe)
//   c  ours: pluginSystem() with the timestamp and validation plugins (same zod schema), softDelete where asked
//      (flush-audit adds the audit plugin to c and a hand-written audit subscriber to b)
//   d  ours installed, no plugin on any entity: pluginSystem() and nothing else
//   f  the floor (instructions only): bare like a, with b's audit table when audit is asked; the caller does c's
//      writes and hook bodies by hand
//
// Every variant has the same columns (id, name, email, age, createdAt, updatedAt, deletedAt with an index, deletionBatch),
// so the four tables are alike and only the behaviour differs.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeSetType, EntitySchema, MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { pluginSystem } from '../../dist/index.js';
import { auditLog } from '../../dist/audit.js';
import { pgDatabase } from './cli.mjs';
import { root } from './results.mjs';

export const VARIANTS = {
  a: 'bare MikroORM',
  b: 'hand-written MikroORM hooks',
  c: 'our plugins',
  d: 'ours installed, no plugin',
};

export const DATABASE_LABELS = {
  'sqlite-memory': 'SQLite (in memory)',
  'sqlite-file': 'SQLite (file)',
  postgresql: 'PostgreSQL',
};

/** The one validation rule set, used by the validation plugin (c) and by the hand-written subscriber (b). */
export const itemRules = z.object({
  name: z.string().min(1).max(200),
  email: z.email(),
  age: z.number().int().min(0).max(150),
});

/** Row number i: valid for itemRules. */
export const itemData = (i, tag = '') => ({ name: `item ${i}${tag}`, email: `user${i}@example.com`, age: i % 100 });

// ------------------------------------------------------------------------------------------ variant b
// Idiomatic hand-written MikroORM: the timestamps as entity lifecycle hooks…
function stampCreate(args) {
  const entity = args.entity;
  const now = new Date();
  entity.createdAt ??= now;
  entity.updatedAt ??= now;
}

function stampUpdate(args) {
  args.entity.updatedAt = new Date();
}

/** …the validation as a subscriber running the same zod schema… */
class ValidationSubscriber {
  constructor(entityName) {
    this.entityName = entityName;
  }
  getSubscribedEntities() {
    return [this.entityName];
  }
  beforeCreate(args) {
    check(args.entity, args.meta.className);
  }
  beforeUpdate(args) {
    check(args.entity, args.meta.className);
  }
}

function check(entity, name) {
  const result = itemRules.safeParse(entity);
  if (!result.success) throw new Error(`${name} is invalid: ${result.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

/** …and soft delete as MikroORM's soft-delete recipe: an onFlush subscriber turning deletes into updates. */
class SoftDeleteSubscriber {
  constructor(entityName) {
    this.entityName = entityName;
  }
  onFlush({ uow }) {
    // The plugin's soft delete records a deletion batch (for cascade restores), one batch and time per flush: the same work by hand.
    let at;
    let batch;
    for (const cs of uow.getChangeSets()) {
      if (cs.type !== ChangeSetType.DELETE || cs.meta.className !== this.entityName) continue;
      at ??= Date.now();
      batch ??= randomUUID();
      cs.entity.deletedAt = new Date(at);
      cs.entity.deletionBatch = batch;
      cs.type = ChangeSetType.UPDATE;
      cs.payload = {};
      uow.recomputeSingleChangeSet(cs.entity);
    }
  }
}

/**
 * …and the audit rows as a subscriber writing one row per create, update and delete from the after-events, with
 * em.insert() on the flushing em, so inside the flush's transaction and with the generated id known (the same
 * design as the audit plugin, whose doc explains why onFlush cannot know auto-increment ids).
 */
class AuditSubscriber {
  #flushIds = new WeakMap();
  constructor(entityName, logEntity) {
    this.entityName = entityName;
    this.logEntity = logEntity;
  }
  getSubscribedEntities() {
    return [this.entityName];
  }
  beforeFlush({ em }) {
    this.#flushIds.set(em, randomUUID());
  }
  afterCreate(args) {
    return this.#write(args, 'create');
  }
  afterUpdate(args) {
    return this.#write(args, 'update');
  }
  afterDelete(args) {
    return this.#write(args, 'delete');
  }
  #write({ em, changeSet, meta, entity }, kind) {
    const changes = {};
    const original = changeSet.originalEntity ?? {};
    const fields = kind === 'create' ? meta.comparableProps.map(p => p.name) : Object.keys(kind === 'delete' ? original : changeSet.payload);
    for (const field of fields) {
      const old = kind === 'create' ? null : auditValue(original[field]);
      const now = kind === 'delete' ? null : auditValue(entity[field]);
      if (kind === 'update' && old === now) continue;
      changes[field] = [old, now];
    }
    const operation = kind === 'update' && changes.deletedAt && changes.deletedAt[0] === null ? 'softDelete' : kind;
    return em.insert(
      this.logEntity,
      {
        entityName: meta.className,
        entityId: String(changeSet.getPrimaryKey()),
        operation,
        changes,
        actor: null,
        requestId: null,
        recordedAt: new Date(),
        flushId: this.#flushIds.get(em) ?? randomUUID(),
      },
      { ctx: em.getTransactionContext() },
    );
  }
}

const auditValue = v => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/** Variant b's audit table: the columns of the audit plugin's. */
function auditLogEntity(name, tableName) {
  return new EntitySchema({
    name,
    tableName,
    properties: {
      id: { type: 'bigint', primary: true, autoincrement: true },
      entityName: { type: 'string', length: 255 },
      entityId: { type: 'string', length: 255 },
      operation: { type: 'string', length: 16 },
      changes: { type: 'json' },
      actor: { type: 'string', length: 255, nullable: true },
      requestId: { type: 'string', length: 255, nullable: true },
      recordedAt: { type: 'datetime', length: 3 },
      flushId: { type: 'string', length: 36 },
    },
  });
}

// ------------------------------------------------------------------------------------------ entities
/** The entity of one variant: the same columns for all, with variant b's hand-written hooks and filters. */
export function itemEntity(name, tableName, hooks = {}, filters = {}) {
  return new EntitySchema({
    name,
    tableName,
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      name: { type: 'string' },
      email: { type: 'string' },
      age: { type: 'integer' },
      // Runtime type names ('Date'), as the timestamp plugin adds them: MikroORM 7.2 treats 'datetime' props as always dirty.
      createdAt: { type: 'Date', nullable: true },
      updatedAt: { type: 'Date', nullable: true },
      deletedAt: { type: 'Date', nullable: true, index: true },
      deletionBatch: { type: 'string', nullable: true },
    },
    hooks,
    filters,
  });
}

export function databaseOptions(db, file) {
  if (db === 'sqlite-memory') return { driver: SqliteDriver, dbName: ':memory:' };
  if (db === 'sqlite-file') {
    // One directory per process: a smoke run (npm test) and a full run in the same checkout must not share files.
    const dir = join(root, '.tmp', 'bench', String(process.pid));
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    const path = join(dir, `${file}.sqlite`);
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
    return { driver: SqliteDriver, dbName: path };
  }
  if (db === 'postgresql') return { driver: PostgreSqlDriver, dbName: pgDatabase, host: '127.0.0.1', port: 5432, user: 'postgres', pool: { min: 1, max: 2 } };
  throw new Error(`unknown database ${db}`);
}

/**
 * One ORM per variant. `behaviour`: which behaviour b and c implement ({ timestamps, validation, softDelete, filter }).
 * Returns { orm, entity, table, close() }; the table is dropped and created empty.
 */
export async function variantOrm({ scenario, db, variant, behaviour }) {
  const name = `${cap(scenario)}${variant.toUpperCase()}`;
  const table = `bench_${scenario.replace(/-/g, '_')}_${variant}`;
  const hooks = {};
  const filters = {};
  const subscribers = [];
  const extensions = [];
  const entities = [];
  const auditTable = behaviour.audit && variant !== 'a' && variant !== 'd' ? `${table}_audit_log` : undefined;
  // b's audit table, and f's: the floor (bare, no hooks) writes the audit rows by hand into it.
  const log = auditTable && variant !== 'c' ? auditLogEntity(`${name}AuditLog`, auditTable) : undefined;
  if (log) entities.push(log);
  if (variant === 'b') {
    if (behaviour.timestamps) Object.assign(hooks, { beforeCreate: [stampCreate], beforeUpdate: [stampUpdate] });
    if (behaviour.audit) subscribers.push(new AuditSubscriber(name, log));
    if (behaviour.validation) subscribers.push(new ValidationSubscriber(name));
    if (behaviour.softDelete) subscribers.push(new SoftDeleteSubscriber(name));
    if (behaviour.softDelete || behaviour.filter) filters.softDelete = { name: 'softDelete', cond: { deletedAt: null }, default: true };
  }
  if (variant === 'c') {
    const plugins = [];
    if (behaviour.timestamps) plugins.push('timestamp');
    if (behaviour.validation) plugins.push({ validation: { schema: itemRules } });
    if (behaviour.softDelete || behaviour.filter) plugins.push('softDelete');
    if (behaviour.audit) plugins.push('audit');
    extensions.push(pluginSystem({ entities: { [name]: plugins } }));
    if (behaviour.audit) extensions.push(auditLog({ table: auditTable }));
  }
  if (variant === 'd') extensions.push(pluginSystem());
  const entity = itemEntity(name, table, hooks, filters);
  const orm = await MikroORM.init({
    ...databaseOptions(db, `${scenario}-${variant}`),
    entities: [entity, ...entities],
    subscribers,
    extensions,
    allowGlobalContext: true,
    debug: false,
  });
  if (db === 'postgresql') await orm.schema.ensureDatabase();
  await orm.schema.drop();
  await orm.schema.create();
  return { orm, entity, table, auditTable, log, name, close: () => orm.close(true) };
}

/** Deletes every row and resets the id sequence (untimed, between samples). */
export async function emptyTable(orm, table, db) {
  const conn = orm.em.getConnection();
  if (db === 'postgresql') await conn.execute(`truncate table "${table}" restart identity`);
  else {
    await conn.execute(`delete from \`${table}\``);
    await conn.execute(`delete from sqlite_sequence where name = '${table}'`).catch(() => {});
  }
}

/** Inserts rows 1…n with no hook (untimed seeding): `em.insertMany`, 1,000 rows a statement. */
export async function seed(orm, entity, n, { deleted = false } = {}) {
  const now = new Date();
  const em = orm.em.fork();
  for (let start = 0; start < n; start += 1000) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + 1000); i++) rows.push({ ...itemData(i + 1), createdAt: now, updatedAt: now, deletedAt: deleted ? now : null });
    await em.insertMany(entity, rows);
  }
}

const cap = s => s.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
