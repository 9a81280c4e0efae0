import type { EntityManager, Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AuditPlugin, auditLog, stateAt } from '../src/audit.js';
import { pluginSystem, PluginRegistry, restore, SoftDeletePlugin, TimestampPlugin } from '../src/index.js';
import { auditRows, TripwirePlugin, type RawAuditRow } from './support/audit-support.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

// Random sequences of flushes over two audited entities (one soft-deletable), some of which roll
// back. Afterwards the audit rows must be exactly the committed changes, and stateAt must give back
// every committed state.

@Entity()
class DrawNote {
  static plugins = ['audit', 'softDelete', 'tripwire'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) n!: number;
  @Property({ type: 'Date', nullable: true, length: 3 }) deletedAt?: Opt<Date> | null;
}

@Entity()
class DrawTag {
  static plugins = ['audit', 'tripwire'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) n!: number;
}

type Kind = 'note' | 'tag';
const classes = { note: DrawNote, tag: DrawTag } as const;
const entityNames = { note: 'DrawNote', tag: 'DrawTag' } as const;

/** A committed state of one entity; `null` once hard-deleted. */
type State = { title: string; n: number; deleted: boolean } | null;

interface Tracked {
  kind: Kind;
  id: number;
  state: State;
}

type Op =
  | { op: 'create'; kind: Kind; title: string; n: number }
  | { op: 'update'; pick: number; title: string; n: number }
  | { op: 'remove'; pick: number }
  | { op: 'restore'; pick: number };

interface Batch {
  ops: Op[];
  /** `tripwire`: a hook throws inside the flush; `rollback`: the flush succeeds in a transaction that rolls back. */
  failure: 'none' | 'tripwire' | 'rollback';
}

const title = fc.constantFrom('a', 'b', 'c');
const n = fc.integer({ min: 0, max: 2 });
const pick = fc.nat({ max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), kind: fc.constantFrom<Kind>('note', 'tag'), title, n }),
  fc.record({ op: fc.constant('update' as const), pick, title, n }),
  fc.record({ op: fc.constant('remove' as const), pick }),
  fc.record({ op: fc.constant('restore' as const), pick }),
);
const batchArb: fc.Arbitrary<Batch> = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 4 }),
  failure: fc.constantFrom<Batch['failure']>('none', 'none', 'tripwire', 'rollback'),
});

/** One expected audit row, described by what the test can predict. */
interface Expected {
  tracked: Tracked;
  operation: string;
  changes: Record<string, [unknown, unknown]>;
  after: State;
}

const registry = new PluginRegistry().registerMany({
  timestamp: TimestampPlugin,
  softDelete: SoftDeletePlugin,
  audit: AuditPlugin,
  tripwire: TripwirePlugin,
});

function eligible(op: Op['op'], t: Tracked): boolean {
  if (t.state === null) return false;
  if (op === 'remove') return t.kind === 'tag' || !t.state.deleted;
  if (op === 'restore') return t.kind === 'note' && t.state.deleted;
  return true;
}

const diff = (before: NonNullable<State>, after: NonNullable<State>) => {
  const changes: Record<string, [unknown, unknown]> = {};
  if (before.title !== after.title) changes.title = [before.title, after.title];
  if (before.n !== after.n) changes.n = [before.n, after.n];
  return changes;
};

/** Applies a batch on a fresh fork; returns what it should record once committed (creates get their id after the flush). */
async function apply(em: EntityManager, batch: Batch, tracked: Tracked[]): Promise<Array<() => Expected>> {
  const expected: Array<() => Expected> = [];
  const touched = new Set<Tracked>();
  for (const op of batch.ops) {
    if (op.op === 'create') {
      const entity = em.create(classes[op.kind], { title: op.title, n: op.n });
      const after = { title: op.title, n: op.n, deleted: false };
      expected.push(() => ({
        tracked: { kind: op.kind, id: entity.id, state: null },
        operation: 'create',
        changes: { title: [null, op.title], n: [null, op.n] },
        after,
      }));
      continue;
    }
    const candidates = tracked.filter(t => !touched.has(t) && eligible(op.op, t));
    if (candidates.length === 0) continue;
    const target = candidates[op.pick % candidates.length]!;
    touched.add(target);
    const before = target.state!;
    const entity = (await em.findOneOrFail(classes[target.kind] as typeof DrawNote, target.id, { filters: false })) as DrawNote;
    if (op.op === 'update') {
      entity.title = op.title;
      entity.n = op.n;
      const after = { ...before, title: op.title, n: op.n };
      const changes = diff(before, after);
      if (Object.keys(changes).length > 0) expected.push(() => ({ tracked: target, operation: 'update', changes, after }));
    } else if (op.op === 'remove') {
      em.remove(entity);
      if (target.kind === 'tag') {
        expected.push(() => ({ tracked: target, operation: 'delete', changes: { title: [before.title, null], n: [before.n, null] }, after: null }));
      } else {
        expected.push(() => ({ tracked: target, operation: 'softDelete', changes: {}, after: { ...before, deleted: true } }));
      }
    } else {
      restore(em, entity);
      expected.push(() => ({ tracked: target, operation: 'restore', changes: {}, after: { ...before, deleted: false } }));
    }
  }
  if (batch.failure === 'tripwire') em.create(DrawTag, { title: 'boom', n: 0 });
  return expected;
}

async function run(orm: TestOrm, batches: Batch[]): Promise<void> {
  const firstRow = ((await auditRows(orm)).at(-1)?.id ?? 0) + 1;
  const tracked: Tracked[] = [];
  const committed: Expected[][] = [];

  for (const batch of batches) {
    // No auto-flush while the batch loads its targets: each batch must be exactly one flush.
    const em = orm.em.fork({ flushMode: 'commit' });
    const pending = await apply(em, batch, tracked);
    if (batch.failure === 'rollback') {
      await em.begin();
      await em.flush();
      await em.rollback();
      continue;
    }
    if (batch.failure === 'tripwire') {
      await expect(em.flush()).rejects.toThrow('tripwire');
      continue;
    }
    await em.flush();
    const rows = pending.map(p => p());
    for (const row of rows) {
      if (row.operation === 'create') tracked.push(row.tracked);
      row.tracked.state = row.after;
    }
    if (rows.length > 0) committed.push(rows);
  }

  // 1. The rows are the committed changes, flush by flush: no more, no less.
  const rows = (await auditRows(orm)).filter(r => r.id >= firstRow);
  const flushes = [...new Set(rows.map(r => r.flushId))].map(id => rows.filter(r => r.flushId === id));
  const describeRow = (entity: string, id: unknown, operation: string, changes: Record<string, [unknown, unknown]>) =>
    `${entity}#${id} ${operation} ${JSON.stringify({ title: changes.title, n: changes.n })}`;
  const actual = flushes.map(f => f.map(r => describeRow(r.entityName, r.entityId, r.operation, r.changes)).sort());
  const expected = committed.map(f => f.map(e => describeRow(entityNames[e.tracked.kind], e.tracked.id, e.operation, e.changes)).sort());
  expect(actual).toEqual(expected);
  for (const r of rows) {
    if (r.operation === 'softDelete') expect([r.changes.deletedAt?.[0], r.changes.deletedAt?.[1] != null]).toEqual([null, true]);
    if (r.operation === 'restore') expect([r.changes.deletedAt?.[0] != null, r.changes.deletedAt?.[1]]).toEqual([true, null]);
  }

  // 2. stateAt at each row's time gives the state after every change recorded up to that time.
  const byEntity = new Map<string, { row: RawAuditRow; after: State }[]>();
  committed.flat().forEach(e => {
    const key = `${entityNames[e.tracked.kind]}#${e.tracked.id}`;
    const row = rows.find(r => `${r.entityName}#${r.entityId}` === key && r.operation === e.operation && !used.has(r))!;
    used.add(row);
    byEntity.set(key, [...(byEntity.get(key) ?? []), { row, after: e.after }]);
  });
  const reader = orm.em.fork();
  for (const history of byEntity.values()) {
    history.sort((a, b) => a.row.id - b.row.id);
    const { entityName, entityId } = history[0]!.row;
    const first = history[0]!.row.recordedAt;
    expect(await stateAt(reader, entityName, entityId, new Date(first.getTime() - 1))).toBeNull();
    for (const { row } of history) {
      const upTo = history.filter(h => h.row.recordedAt.getTime() <= row.recordedAt.getTime()).at(-1)!;
      const state = await stateAt(reader, entityName, entityId, row.recordedAt);
      const seen = state === null ? null : { title: state.title, n: state.n, deleted: state.deletedAt != null };
      expect(seen).toEqual(upTo.after);
    }
  }
  used.clear();
}

const used = new Set<RawAuditRow>();

describeEachDatabase('audit: property', db => {
  let orm: TestOrm;
  beforeAll(async () => {
    orm = await db.init({ entities: [DrawNote, DrawTag], extensions: [pluginSystem({ registry }), auditLog()] });
  });
  afterAll(() => orm?.close());

  test('audit rows are exactly the committed changes, and stateAt reproduces every committed state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 8 }), batches => run(orm, batches)),
      { numRuns: 15 },
    );
  }, 120_000);
});
