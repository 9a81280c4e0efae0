// One process of the instructions scenario, run under `valgrind --tool=callgrind`:
//   node instructions-worker.mjs <workload> <variant> <rows> <flush: 0|1>
// It opens one variant's ORM on SQLite in memory, warms it up with one untimed round of the workload, then
// prepares `rows` more (em.create, or loads and changes or removes them) and flushes them only when asked.
// The lead process runs it with and without the flush: the difference in instructions is what the flush cost.
// The read workloads (read-find, read-findone) do the same with a read in place of the flush.
import { itemData, seed, variantOrm } from '../lib/mikro.mjs';

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
    if (REMOVES.has(workload)) em.remove(item);
    else item.name = `${item.name} changed`;
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
await (await prepare(0)).flush();
const em = await prepare(rows);
if (flush) await em.flush();
await v.close();
