// One process of the instructions scenario, run under `valgrind --tool=callgrind`:
//   node instructions-worker.mjs <workload> <variant> <rows> <flush: 0|1>
// It opens one variant's ORM on SQLite in memory, warms it up with one untimed round of the workload, then
// prepares `rows` more (em.create, or loads and changes or removes them) and flushes them only when asked.
// The lead process runs it with and without the flush: the difference in instructions is what the flush cost.
// The read workloads (read-find, read-findone) do the same with a read in place of the flush.
// Variant f, the floor, is bare MikroORM (as a, plus an audit table when the workload audits) doing by hand, in
// the measured part, the writes and hook bodies that c's plugins do: what this behaviour costs in MikroORM written
// by hand, with no hook machinery at all.
import { randomUUID } from 'node:crypto';
import { helper } from '@mikro-orm/core';
import { itemData, itemRules, seed, variantOrm } from '../lib/mikro.mjs';

const BEHAVIOUR = {
  'flush-insert': { timestamps: true, validation: true },
  'flush-update': { timestamps: true, validation: true },
  remove: { timestamps: true, validation: true, softDelete: true },
  // flush-audit's operations: b and c also write one audit row per entity (a, bare, has no audit; d is not measured).
  'audit-insert': { timestamps: true, validation: true, softDelete: true, audit: true },
  'audit-update': { timestamps: true, validation: true, softDelete: true, audit: true },
  'audit-remove': { timestamps: true, validation: true, softDelete: true, audit: true },
  // The read scenario's operations: em.find() of `rows` rows, and `rows` em.findOne() by primary key, each in a fresh fork.
  'read-find': { softDelete: true },
  'read-findone': { softDelete: true },
};
const READS = new Set(['read-find', 'read-findone']);
const INSERTS = new Set(['flush-insert', 'audit-insert']);
const REMOVES = new Set(['remove', 'audit-remove']);

const [workload, variant, rowsArg, flushArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const flush = flushArg === '1';
const floor = variant === 'f';
/** The floor's soft-delete values, which its audit rows read. */
let softDeleted;
if (floor && READS.has(workload)) throw new Error(`${workload} has no floor variant (f): the floor is of flushes`);
const v = await variantOrm({ scenario: `instr-${workload}`, db: 'sqlite-memory', variant, behaviour: BEHAVIOUR[workload] });

/** Prepares rows first+1…first+rows in a fresh fork; returns the fork, ready to flush. */
async function prepare(first) {
  const em = v.orm.em.fork();
  if (INSERTS.has(workload)) {
    for (let i = first; i < first + rows; i++) em.create(v.entity, itemData(i + 1));
    return em;
  }
  const items = await em.find(v.entity, { id: { $gt: first, $lte: first + rows } });
  for (const item of items) {
    if (REMOVES.has(workload)) {
      if (!floor) em.remove(item);
    } else item.name = `${item.name} changed`;
  }
  return em;
}

/** A read workload's operation: rows first+1…first+rows read, by one find or one findOne each. */
async function read(first) {
  if (workload === 'read-find') {
    const found = await v.orm.em.fork().find(v.entity, { id: { $gt: first, $lte: first + rows } });
    if (found.length !== rows) throw new Error(`${workload} ${variant}: ${found.length} rows, expected ${rows}`);
    return;
  }
  for (let id = first + 1; id <= first + rows; id++) if (!(await v.orm.em.fork().findOne(v.entity, id))) throw new Error(`${workload} ${variant}: no row ${id}`);
}

if (!INSERTS.has(workload)) await seed(v.orm, v.entity, 2 * rows);
if (READS.has(workload)) {
  // Warm-up: the first half read in both runs; the second half only when measured.
  await read(0);
  if (flush) await read(rows);
  await v.close();
  process.exit(0);
}
// Warm-up: one full round, flushed in both runs, so the JIT has compiled the flush path before the measured part.
await flushed(await prepare(0));
const em = await prepare(rows);
if (flush) await flushed(em);
await v.close();

async function flushed(em) {
  if (!floor) return em.flush();
  const audit = v.log ? auditRows(em) : undefined;
  await byHand(em);
  await em.flush();
  // The audit rows after the flush, when the ids are known: one multi-row INSERT per 300 rows, as the plugin does.
  if (audit) for (let i = 0; i < audit.length; i += 300) await em.insertMany(v.log, audit.slice(i, i + 300).map(row => row()));
}

/**
 * The floor's hand work: c's writes with one date (and one batch) per flush, as c's plugins do. Inserts and updates
 * stamp and zod-check each entity before a bare flush; the soft delete zod-checks each entity too, then takes
 * MikroORM's cheapest write of the same columns, one UPDATE … WHERE id IN per 300 rows (the default batchSize),
 * with no em.remove() and no diff.
 */
async function byHand(em) {
  const now = new Date();
  const entities = [...em.getUnitOfWork().getIdentityMap().values()]; // the workload's entities only
  if (REMOVES.has(workload)) {
    // c's validation plugin checks a soft-deleted row as the update it is (so does b's subscriber): the floor does too.
    for (const entity of entities) if (!itemRules.safeParse(entity).success) throw new Error(`floor: row ${entity.name} is invalid`);
    const set = { deletedAt: now, deletionBatch: randomUUID(), updatedAt: now };
    for (let i = 0; i < entities.length; i += 300) await em.nativeUpdate(v.entity, { id: { $in: entities.slice(i, i + 300).map(e => e.id) } }, set);
    softDeleted = set; // what the audit rows read; set on the entities, it would make the flush write them again
    return;
  }
  const fresh = INSERTS.has(workload) ? em.getUnitOfWork().getPersistStack() : undefined;
  for (const entity of fresh ?? entities) {
    if (fresh) entity.createdAt = now;
    entity.updatedAt = now;
    const result = itemRules.safeParse(entity);
    if (!result.success) throw new Error(`floor: row ${entity.name} is invalid`);
  }
}

/**
 * The audit workloads' rows, one per entity, with the plugin's content (every column on insert, the changed ones
 * on update, the soft delete's three), read after the hand work and the flush: each is a function, called then.
 * The old values are taken now, before the hand work changes them.
 */
function auditRows(em) {
  const flushId = randomUUID();
  const recordedAt = new Date(); // one per flush, as the plugin's records of a class share one
  const iso = x => (x instanceof Date ? x.toISOString() : (x ?? null));
  const record = (entity, operation, changes) => ({ entityName: v.name, entityId: String(entity.id), operation, changes, actor: null, requestId: null, recordedAt, flushId });
  const meta = em.getMetadata().get(v.entity);
  if (INSERTS.has(workload)) {
    return [...em.getUnitOfWork().getPersistStack()].map(e => () => record(e, 'create', Object.fromEntries(meta.comparableProps.map(p => [p.name, [null, iso(e[p.name])]]))));
  }
  return [...em.getUnitOfWork().getIdentityMap().values()].map(e => {
    const original = helper(e).__originalEntityData;
    const fields = REMOVES.has(workload) ? ['deletedAt', 'deletionBatch', 'updatedAt'] : ['name', 'updatedAt'];
    const old = Object.fromEntries(fields.map(f => [f, iso(REMOVES.has(workload) ? e[f] : f === 'name' ? original.name : e[f])]));
    const now = f => iso(REMOVES.has(workload) ? softDeleted[f] : e[f]);
    return () => record(e, REMOVES.has(workload) ? 'softDelete' : 'update', Object.fromEntries(fields.map(f => [f, [old[f], now(f)]])));
  });
}
