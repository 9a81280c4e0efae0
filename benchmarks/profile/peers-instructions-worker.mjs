// One process of the peers scenario in instructions, run under `valgrind --tool=callgrind`:
//   node peers-instructions-worker.mjs <orm> <variant> <db> <insert|update> <rows> <write: 0|1> [--pg-db=NAME] [--warmups=1]
// It builds one ORM variant (lib/peer-orms.mjs, the same code the timed peers benchmark runs), warms it up with
// one untimed insert and update of `rows` rows, then stages the measured operation (entities built, or rows
// written, loaded and changed) and writes it only when asked. The lead runs it both ways: the difference in
// instructions is what the write cost.
import { changed, mikro, sequelize, setRows, typeorm } from '../lib/peer-orms.mjs';

const [orm, variant, db, workload, rowsArg, writeArg] = process.argv.slice(2);
const rows = Number(rowsArg);
setRows(rows);
const MIKRO = { plain: 'a', hooked: 'b', ours: 'c', floor: 'f' };
let v;
let close;
if (orm === 'MikroORM') {
  const built = await mikro(db, [MIKRO[variant]]);
  v = built[MIKRO[variant]];
  close = v.close;
} else {
  const built = orm === 'Sequelize' ? await sequelize() : await typeorm(db);
  v = built[variant];
  close = built.close;
}
if (!v) throw new Error(`no variant ${variant} of ${orm}`);

async function update(sample, write) {
  const { items, save } = await v.load();
  if (items.length !== rows) throw new Error(`${orm} ${variant}: loaded ${items.length} rows, expected ${rows}`);
  for (const item of items) changed(item, sample);
  if (write) await save();
}

// Behaviour before counting, as the timed benchmark checks it: the hooks of every hooked variant reject an invalid row.
if ((await v.check()) !== (variant !== 'plain')) throw new Error(`${orm} ${variant}: an invalid row was ${variant === 'plain' ? 'rejected' : 'written'}`);
// Warm-up, written in both runs, so the JIT has compiled the write path before the measured part
// (--predictable compiles on the main thread: what is compiled during the measured part is counted).
const warmups = Number(process.argv.find(a => a.startsWith('--warmups='))?.split('=')[1] ?? '1');
for (let round = 0; round < warmups; round++) {
  await v.empty();
  await v.stageInsert()();
  await update(1 + round, true);
}

await v.empty();
if (workload === 'insert') {
  const write = v.stageInsert();
  if (writeArg === '1') await write();
} else {
  await v.stageInsert()();
  await update(warmups + 1, writeArg === '1');
}
await close();
