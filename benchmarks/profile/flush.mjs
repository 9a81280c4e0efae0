// Profiles one variant of a flush scenario, for "where does the time go":
//   node_modules/.bin/node --cpu-prof --cpu-prof-dir=.tmp/prof benchmarks/profile/flush.mjs flush-insert c [db] [ops] [rows]
// scenario: flush-insert, flush-update, remove, or audit-insert (flush-insert with the audit behaviour of flush-audit)
//   node benchmarks/profile/summary.mjs .tmp/prof/<file>.cpuprofile
// Runs `ops` operations (default 15) of 10,000 rows in one flush on one variant (a, b, c or d), after 2 warm-up ones.
import { emptyTable, itemData, seed, variantOrm } from '../lib/mikro.mjs';

const [given = 'flush-insert', variant = 'c', db = 'sqlite-memory', opsArg = '15', rowsArg = '10000'] = process.argv.slice(2).filter(a => !a.startsWith('--'));
const audit = given === 'audit-insert';
const scenario = audit ? 'flush-insert' : given;
const rows = Number(rowsArg);
const behaviour = { timestamps: true, validation: true, softDelete: scenario === 'remove' || audit, audit };
const v = await variantOrm({ scenario: `profile-${given}`, db, variant, behaviour });
const op = async i => {
  const em = v.orm.em.fork();
  if (scenario === 'flush-insert') for (let r = 0; r < rows; r++) em.create(v.entity, itemData(r + 1));
  else {
    if (scenario === 'remove' || i === 0) {
      await emptyTable(v.orm, v.table, db);
      await seed(v.orm, v.entity, rows);
    }
    for (const item of await em.find(v.entity, {})) {
      if (scenario === 'remove') em.remove(item);
      else item.name = `item ${item.id} v${i}`;
    }
  }
  const start = performance.now();
  await em.flush();
  const ms = performance.now() - start;
  if (scenario === 'flush-insert') await emptyTable(v.orm, v.table, db);
  if (v.auditTable) await emptyTable(v.orm, v.auditTable, db);
  return ms;
};
for (let i = 0; i < 2; i++) await op(i);
let total = 0;
for (let i = 0; i < Number(opsArg); i++) total += await op(i + 2);
console.log(`${given} ${variant} ${db}: ${(total / Number(opsArg)).toFixed(1)} ms per flush (mean of ${opsArg})`);
await v.close();
