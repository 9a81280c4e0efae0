// The rows of a large flush go in as multi-row INSERTs: every change still gets exactly one row, with
// its own entity id, actor and values, and the table's ids are the ones sinks see.
import { Embeddable, Embedded, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog, type AuditRecord } from '../src/audit.js';
import { rowsPerInsert } from '../src/plugins/audit/row-writer.js';
import { pluginSystem, PluginRegistry, runWithContext, SoftDeletePlugin } from '../src/index.js';
import { auditRows, recordingSink, type RawAuditRow } from './support/audit-support.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

@Embeddable()
class BatchPlace {
  @Property({ type: 'string' }) street!: string;
  @Property({ type: 'string' }) city!: string;
}

@Entity()
class BatchOwner {
  static plugins = [{ audit: { redact: ['token'], exclude: ['note'] } }];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) token!: string;
  @Property({ type: 'string', nullable: true }) note?: string | null;
}

@Entity()
class BatchItem {
  static plugins = [{ audit: { redact: ['place.street'] } }, 'softDelete'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @ManyToOne({ entity: () => BatchOwner }) owner!: BatchOwner;
  @Property({ type: 'string' }) label!: string;
  @Property({ type: 'integer' }) qty!: number;
  @Embedded({ entity: () => BatchPlace }) place!: BatchPlace;
  declare deletedAt?: Date | null;
}

@Entity()
class BatchCode {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'string' }) code!: string;
  @Property({ type: 'integer' }) value!: number;
}

const registry = new PluginRegistry().registerMany({ audit: AuditPlugin, softDelete: SoftDeletePlugin });
const OWNERS = 500;
const ITEMS_PER_OWNER = 3;
const CODES = 500;
const TOTAL = OWNERS * (1 + ITEMS_PER_OWNER) + CODES; // 2,500 entities in one flush
const secretStreet = (i: number) => `street-secret-${i}`;
const secretToken = (i: number) => `token-secret-${i}`;

test('a chunk never binds more parameters than SQLite allows (32,766), whatever batchSize says', () => {
  expect(rowsPerInsert(300)).toBe(300);
  expect(rowsPerInsert(1_000_000) * 8).toBeLessThanOrEqual(32_766);
  expect(rowsPerInsert(0)).toBe(1);
});

describeEachDatabase('audit: a flush of 2,500 entities', db => {
  let orm: TestOrm;
  let sink: ReturnType<typeof recordingSink>;
  let inserts: string[];

  beforeEach(async () => {
    sink = recordingSink();
    inserts = [];
    orm = await start(db, sink, inserts);
  });
  afterEach(() => orm.close());

  test('creates, updates and deletes: exactly one row per change, with its id, values, actor and the id sinks see', { timeout: 120_000 }, async () => {
    const em = orm.em.fork();
    const owners: BatchOwner[] = [];
    const items: BatchItem[] = [];
    const codes: BatchCode[] = [];
    for (let i = 0; i < OWNERS; i++) {
      const owner = em.create(BatchOwner, { name: `owner ${i}`, token: secretToken(i), note: `note ${i}` });
      owners.push(owner);
      for (let k = 0; k < ITEMS_PER_OWNER; k++) {
        const n = i * ITEMS_PER_OWNER + k;
        items.push(em.create(BatchItem, { owner, label: `item ${n}`, qty: n, place: { street: secretStreet(n), city: `city ${n}` } }));
      }
    }
    for (let i = 0; i < CODES; i++) codes.push(em.create(BatchCode, { code: `c${i}`, value: i }));
    await runWithContext({ actor: 'loader', requestId: 'req-create' }, () => em.flush());

    const created = await auditRows(orm);
    expect(created).toHaveLength(TOTAL);
    expectOnePerEntity(created, owners, items, codes, 'create', { actor: 'loader', requestId: 'req-create' });
    const byKey = rowsByEntity(created);
    const wrongCreates = [
      ...owners.filter((owner, i) => !same(byKey.get(`BatchOwner:${owner.id}`)?.changes, { name: [null, `owner ${i}`], token: [null, '[redacted]'] }, ['name', 'token', 'note'])),
      ...items.filter((item, n) => {
        const changes = byKey.get(`BatchItem:${item.id}`)?.changes;
        const text = JSON.stringify(changes);
        return !same(changes, { label: [null, `item ${n}`], qty: [null, n], owner: [null, item.owner.id] }, ['label', 'qty', 'owner']) || text.includes(secretStreet(n)) || !text.includes(`city ${n}`);
      }),
      ...codes.filter((code, i) => !same(byKey.get(`BatchCode:${code.code}`)?.changes, { code: [null, code.code], value: [null, i] })),
    ];
    expect(wrongCreates).toEqual([]);
    expect(JSON.stringify(created)).not.toMatch(/secret/);

    for (const owner of owners) {
      owner.name = `${owner.name} renamed`;
      owner.note = 'changed, but excluded';
    }
    for (const item of items) item.qty += 1000;
    for (const code of codes) code.value = -code.value - 1;
    await runWithContext({ actor: 'editor', requestId: 'req-update' }, () => em.flush());
    const updated = (await auditRows(orm)).slice(TOTAL);
    expect(updated).toHaveLength(TOTAL);
    expectOnePerEntity(updated, owners, items, codes, 'update', { actor: 'editor', requestId: 'req-update' });
    const updatedBy = rowsByEntity(updated);
    const wrongUpdates = [
      ...owners.filter(owner => !same(updatedBy.get(`BatchOwner:${owner.id}`)?.changes, { name: [owner.name.replace(' renamed', ''), owner.name] })),
      ...items.filter(item => !same(updatedBy.get(`BatchItem:${item.id}`)?.changes, { qty: [item.qty - 1000, item.qty] })),
      ...codes.filter((code, i) => !same(updatedBy.get(`BatchCode:${code.code}`)?.changes, { value: [i, -i - 1] })),
    ];
    expect(wrongUpdates).toEqual([]);

    // Items first (softDelete turns their delete into an update), then owners and codes.
    for (const item of items) em.remove(item);
    for (const code of codes) em.remove(code);
    await runWithContext({ actor: 'remover', requestId: 'req-remove' }, () => em.flush());
    const removed = (await auditRows(orm)).slice(2 * TOTAL);
    expect(removed.filter(r => r.entityName === 'BatchItem').every(r => r.operation === 'softDelete')).toBe(true);
    expect(removed.filter(r => r.entityName === 'BatchCode').every(r => r.operation === 'delete')).toBe(true);
    expect(removed).toHaveLength(items.length + codes.length);
    expectOnePerEntity(removed, [], items, codes, undefined, { actor: 'remover', requestId: 'req-remove' });
    const removedBy = rowsByEntity(removed);
    expect(codes.filter((code, i) => !same(removedBy.get(`BatchCode:${code.code}`)?.changes, { code: [code.code, null], value: [-i - 1, null] }))).toEqual([]);

    // Sinks got every record once, after its commit, with the id the table gave its row.
    const all = await auditRows(orm);
    expect(sink.records).toHaveLength(all.length);
    const tableById = new Map(all.map(r => [r.id, r]));
    expect(sink.records.filter(record => !same(asRow(tableById.get(record.id!)), asRow(record)))).toEqual([]);
    expect(new Set(sink.records.map(r => r.id)).size).toBe(all.length);
  });

  test('one INSERT into the audit table per chunk of batchSize rows, not one per row', async () => {
    const em = orm.em.fork();
    for (let i = 0; i < TOTAL; i++) em.create(BatchCode, { code: `k${i}`, value: i });
    await em.flush();
    expect(await auditRows(orm)).toHaveLength(TOTAL);
    // MikroORM's own flush inserts the entities in chunks of batchSize (300 by default); the audit rows follow it.
    const chunk = rowsPerInsert(orm.config.get('batchSize'));
    expect(chunk).toBe(300);
    expect(inserts).toHaveLength(Math.ceil(TOTAL / chunk));
  });

  test('a smaller batchSize gives more, smaller INSERTs, and the same rows', async () => {
    await orm.close();
    inserts = [];
    orm = await start(db, sink, inserts, { batchSize: 100 });
    const em = orm.em.fork();
    for (let i = 0; i < 1000; i++) em.create(BatchCode, { code: `s${i}`, value: i });
    await em.flush();
    expect(inserts).toHaveLength(10);
    const rows = await auditRows(orm);
    expect(rows.map(r => r.entityId).sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `s${i}`).sort());
  });

  test('two large flushes at once: each row names the actor of its own flush', async () => {
    const flush = (actor: string) =>
      runWithContext({ actor, requestId: `req-${actor}` }, async () => {
        const em = orm.em.fork();
        for (let i = 0; i < 1250; i++) em.create(BatchCode, { code: `${actor}-${i}`, value: i });
        await em.flush();
      });
    // SQLite has one connection: its transactions cannot overlap, so the flushes run one after the other there.
    if (db.name === 'sqlite') for (const actor of ['ann', 'bob']) await flush(actor);
    else await Promise.all(['ann', 'bob'].map(flush));
    const rows = await auditRows(orm);
    expect(rows).toHaveLength(2500);
    const wrong = rows.filter(r => !r.entityId.startsWith(`${r.actor}-`) || r.requestId !== `req-${r.actor}`);
    expect(wrong).toEqual([]);
    expect(new Set(rows.map(r => r.entityId)).size).toBe(2500);
    expect(new Set(rows.map(r => r.flushId)).size).toBe(2);
  });

  test('a large flush that fails leaves no audit row and no sink record', async () => {
    const em = orm.em.fork();
    em.create(BatchCode, { code: 'taken', value: 0 });
    await em.flush();
    const before = (await auditRows(orm)).length;
    const fork = orm.em.fork();
    for (let i = 0; i < 1000; i++) fork.create(BatchOwner, { name: `o${i}`, token: 't' });
    fork.create(BatchCode, { code: 'taken', value: 1 });
    await expect(fork.flush()).rejects.toThrow();
    expect(await auditRows(orm)).toHaveLength(before);
    expect(sink.records).toHaveLength(before);
  });
});

function start(db: Database, sink: ReturnType<typeof recordingSink>, inserts: string[], options: { batchSize?: number } = {}): Promise<TestOrm> {
  return db.init({
    entities: [BatchOwner, BatchItem, BatchCode, BatchPlace],
    extensions: [pluginSystem({ registry }), auditLog({ sinks: [sink] })],
    ...options,
    debug: ['query'],
    // Counts the statements the driver ran against the audit table.
    logger: message => {
      if (/insert into [`"]?audit_log/i.test(message)) inserts.push(message);
    },
  });
}

const keyOf = (r: { entityName: string; entityId: string }) => `${r.entityName}:${r.entityId}`;

function rowsByEntity(rows: readonly RawAuditRow[]): Map<string, RawAuditRow> {
  const map = new Map<string, RawAuditRow>();
  const twice = rows.filter(row => map.has(keyOf(row)) || (map.set(keyOf(row), row), false));
  expect(twice).toEqual([]);
  return map;
}

/** Every entity has exactly one row, every row is about one of them, with the given operation and context, all of one flush. */
function expectOnePerEntity(
  rows: readonly RawAuditRow[],
  owners: readonly BatchOwner[],
  items: readonly BatchItem[],
  codes: readonly BatchCode[],
  operation: string | undefined,
  context: { actor: string; requestId: string },
): void {
  const expected = [...owners.map(o => `BatchOwner:${o.id}`), ...items.map(i => `BatchItem:${i.id}`), ...codes.map(c => `BatchCode:${c.code}`)];
  expect(rows.map(keyOf).sort()).toEqual(expected.sort());
  if (operation !== undefined) expect(rows.filter(r => r.operation !== operation)).toEqual([]);
  expect(rows.filter(r => r.actor !== context.actor || r.requestId !== context.requestId)).toEqual([]);
  expect(new Set(rows.map(r => r.flushId)).size).toBe(1);
  // Ids follow the order of the writes: strictly increasing, no gap within the flush.
  expect(rows.filter((row, i) => i > 0 && row.id !== rows[i - 1]!.id + 1)).toEqual([]);
}

/**
 * Deep equality of JSON values, key order aside (PostgreSQL's jsonb reorders keys); with `keys`,
 * only those keys of `actual` are compared (the others are checked elsewhere).
 */
function same(actual: unknown, expected: unknown, keys?: readonly string[]): boolean {
  if (keys !== undefined && actual !== null && typeof actual === 'object') {
    actual = Object.fromEntries(keys.filter(k => Object.hasOwn(actual as object, k)).map(k => [k, (actual as Record<string, unknown>)[k]]));
  }
  return canonical(actual) === canonical(expected);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** What a table row and a sink record must agree on. */
function asRow(r: AuditRecord | RawAuditRow | undefined) {
  if (r === undefined) return undefined;
  const entity = 'entity' in r ? r.entity : r.entityName;
  return { entity, entityId: r.entityId, operation: r.operation, flushId: r.flushId, actor: r.actor, requestId: r.requestId, changes: r.changes };
}
