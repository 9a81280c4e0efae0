import { Cascade, Collection, type EntityManager, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hardDelete, pluginSystem, PluginRegistry, restore, SoftDeletePlugin, withDeleted, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { columnOf, dumpTable, quote, sql, tableOf } from './support/fixtures-sql.js';

// Random sequences of create, remove (soft and cascading), restore (with and without cascade) and
// hardDelete over Parent 1:M Child 1:M Grandchild. Afterwards the rows, their deletedAt (null or
// not), their deletion batches and their foreign keys must be what a small in-memory model of the
// policies predicts:
// - Parent is softCascade through Cascade.Remove on `children`; Child is softCascade through the
//   named relation `grandchildren`; Grandchild is soft.
// - Removing a live row soft-deletes it and, down the cascade, every live descendant, in one new
//   batch; rows deleted before keep theirs. Removing a deleted row changes nothing.
// - restore clears the row; with cascade, the descendants carrying its batch too.
// - hardDelete deletes the row and every descendant, deleted or not.

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

@withPlugins([{ softDelete: { policy: 'softCascade' } }])
@Entity()
class PtParent {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @OneToMany({ entity: () => PtChild, mappedBy: 'parent', cascade: [Cascade.PERSIST, Cascade.REMOVE] }) children = new Collection<PtChild>(this);
  deletedAt?: Date | null;
}

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['grandchildren'] } }])
@Entity()
class PtChild {
  @PrimaryKey({ type: 'integer' }) id!: number;
  // Nullable: em.remove() of a loaded parent cuts this reference in memory; it must still be kept.
  @ManyToOne({ entity: () => PtParent, nullable: true }) parent?: PtParent | null;
  @OneToMany({ entity: () => PtGrand, mappedBy: 'child' }) grandchildren = new Collection<PtGrand>(this);
  deletedAt?: Date | null;
}

@withPlugins(['softDelete'])
@Entity()
class PtGrand {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @ManyToOne({ entity: () => PtChild }) child!: PtChild;
  deletedAt?: Date | null;
}

type Level = 0 | 1 | 2;
const classes = [PtParent, PtChild, PtGrand] as const;
const fkProp = [undefined, 'parent', 'child'] as const;
const POPULATE = [['children', 'children.grandchildren'], ['grandchildren'], []] as const;

/** One row of the model. `batch` is the model's own token: only equality matters. */
interface ModelRow {
  level: Level;
  id: number;
  parent: ModelRow | undefined;
  deleted: boolean;
  batch: number | null;
}

type Op =
  | { op: 'create'; level: Level; pick: number }
  | { op: 'remove'; level: Level; pick: number; populate: boolean }
  | { op: 'restore'; level: Level; pick: number; cascade: boolean }
  | { op: 'hardDelete'; level: Level; pick: number };

const level = fc.constantFrom<Level>(0, 1, 2);
const pick = fc.nat({ max: 30 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('create' as const), level, pick }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('remove' as const), level, pick, populate: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('restore' as const), level, pick, cascade: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hardDelete' as const), level, pick }) },
);

/** The starting tree: per parent, per child, its number of grandchildren. */
const treeArb = fc.array(fc.array(fc.nat({ max: 2 }), { maxLength: 3 }), { minLength: 1, maxLength: 3 });

class Model {
  rows: ModelRow[] = [];
  #batches = 0;

  pick(level: Level, pick: number): ModelRow | undefined {
    const candidates = this.rows.filter(r => r.level === level);
    return candidates.length === 0 ? undefined : candidates[pick % candidates.length];
  }

  childrenOf(row: ModelRow): ModelRow[] {
    return this.rows.filter(r => r.parent === row);
  }

  remove(row: ModelRow): void {
    if (row.deleted) return;
    const batch = ++this.#batches;
    const stamp = (r: ModelRow) => {
      r.deleted = true;
      r.batch = batch;
      for (const c of this.childrenOf(r)) if (!c.deleted) stamp(c);
    };
    stamp(row);
  }

  restore(row: ModelRow, cascade: boolean): void {
    if (!row.deleted) return;
    const batch = row.batch;
    const clear = (r: ModelRow) => {
      r.deleted = false;
      r.batch = null;
      if (cascade && batch !== null) for (const c of this.childrenOf(r)) if (c.deleted && c.batch === batch) clear(c);
    };
    clear(row);
  }

  hardDelete(row: ModelRow): void {
    const gone = new Set<ModelRow>();
    const collect = (r: ModelRow) => {
      gone.add(r);
      this.childrenOf(r).forEach(collect);
    };
    collect(row);
    this.rows = this.rows.filter(r => !gone.has(r));
  }
}

/** Creates the starting tree in one flush. */
async function plant(em: EntityManager, model: Model, tree: number[][]): Promise<void> {
  const made: [object, Level, ModelRow | undefined][] = [];
  for (const children of tree) {
    const parent = em.create(PtParent, {});
    made.push([parent, 0, undefined]);
    for (const grandchildren of children) {
      const child = em.create(PtChild, { parent });
      made.push([child, 1, undefined]);
      for (let i = 0; i < grandchildren; i++) made.push([em.create(PtGrand, { child }), 2, undefined]);
    }
  }
  await em.flush();
  const byEntity = new Map<object, ModelRow>();
  for (const [entity, level] of made) {
    const ref = (entity as Record<string, unknown>)[fkProp[level] ?? ''] as object | undefined;
    const row: ModelRow = { level, id: (entity as { id: number }).id, parent: ref && byEntity.get(ref), deleted: false, batch: null };
    byEntity.set(entity, row);
    model.rows.push(row);
  }
}

async function apply(em: EntityManager, model: Model, op: Op): Promise<void> {
  const Entity = classes[op.level] as unknown as new () => object;
  if (op.op === 'create') {
    const parent = op.level === 0 ? undefined : model.pick((op.level - 1) as Level, op.pick);
    if (op.level > 0 && !parent) return;
    const data = parent ? { [fkProp[op.level]!]: em.getReference(classes[parent.level] as never, parent.id as never) } : {};
    const entity = em.create(Entity as never, data as never) as { id: number };
    await em.flush();
    model.rows.push({ level: op.level, id: entity.id, parent, deleted: false, batch: null });
    return;
  }
  const row = model.pick(op.level, op.pick);
  if (!row) return;
  // Loaded with the filter lifted, so deleted rows can be removed (a no-op), restored or hard-deleted.
  // `populate` loads the live descendants first: MikroORM then cascades em.remove() to the loaded ones itself.
  const populate = op.op === 'remove' && op.populate ? POPULATE[op.level] : [];
  const entity = await em.findOneOrFail(Entity as never, row.id as never, { ...withDeleted(), populate: populate as never });
  if (op.op === 'remove') {
    em.remove(entity);
    await em.flush();
    model.remove(row);
  } else if (op.op === 'restore') {
    await restore(em, entity, { cascade: op.cascade });
    await em.flush();
    model.restore(row, op.cascade);
  } else {
    await hardDelete(em, entity);
    model.hardDelete(row);
  }
}

async function expectDatabaseMatches(orm: MikroORM, model: Model): Promise<void> {
  const batchOf = new Map<number, string>(); // model token -> database batch
  const tokenOf = new Map<string, number>();
  const timeOf = new Map<string, number>(); // database batch -> deletedAt
  for (const level of [0, 1, 2] as const) {
    const entity = classes[level];
    const fk = fkProp[level] && columnOf(orm, entity, fkProp[level]);
    const rows = await dumpTable(orm, entity);
    const expected = model.rows.filter(r => r.level === level).sort((a, b) => a.id - b.id);
    expect(rows.map(r => Number(r.id)), `ids of ${entity.name}`).toEqual(expected.map(r => r.id));
    rows.forEach((row, i) => {
      const want = expected[i]!;
      const at = row[columnOf(orm, entity, 'deletedAt')];
      const batch = (row[columnOf(orm, entity, 'deletionBatch')] as string | null) ?? null;
      const where = `${entity.name}#${want.id}`;
      expect(at != null, `${where} deleted`).toBe(want.deleted);
      if (fk) expect(Number(row[fk]), `${where} foreign key`).toBe(want.parent!.id);
      if (want.batch === null) {
        expect(batch, `${where} batch`).toBeNull();
        return;
      }
      // Same model batch <=> same database batch, and one batch has one deletedAt.
      expect(batch, `${where} batch`).not.toBeNull();
      expect(batchOf.get(want.batch) ?? batch, `${where} batch`).toBe(batch);
      expect(tokenOf.get(batch!) ?? want.batch, `${where} batch shared with another`).toBe(want.batch);
      const time = new Date(at as string).getTime();
      expect(timeOf.get(batch!) ?? time, `${where} deletedAt within its batch`).toBe(time);
      batchOf.set(want.batch, batch!);
      tokenOf.set(batch!, want.batch);
      timeOf.set(batch!, time);
    });
  }
}

describeEachDatabase('soft delete: property', db => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await db.init({ entities: [PtParent, PtChild, PtGrand], extensions: [pluginSystem({ registry })] });
  });
  afterAll(() => orm?.close());

  test('rows, deletedAt, batches and foreign keys follow the model of the policies', async () => {
    await fc.assert(
      // `oneEm`: every step in one entity manager, whose identity map then holds rows loaded, cascaded and deleted before.
      fc.asyncProperty(treeArb, fc.array(opArb, { minLength: 1, maxLength: 12 }), fc.boolean(), async (tree, ops, oneEm) => {
        for (const entity of [PtGrand, PtChild, PtParent]) await sql(orm, `delete from ${quote(orm, tableOf(orm, entity))}`);
        const model = new Model();
        const shared = orm.em.fork();
        const emFor = () => (oneEm ? shared : orm.em.fork());
        await plant(emFor(), model, tree);
        for (const op of ops) await apply(emFor(), model, op);
        await expectDatabaseMatches(orm, model);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
