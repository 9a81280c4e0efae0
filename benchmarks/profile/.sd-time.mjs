import { seed, variantOrm } from '../lib/mikro.mjs';
const variant = process.argv[2]; const rows = 3000;
const v = await variantOrm({ scenario: `sdt`, db: 'sqlite-memory', variant, behaviour: { timestamps: true, validation: true, softDelete: true } });
await seed(v.orm, v.entity, 16 * rows);
async function round(first) {
  const em = v.orm.em.fork();
  const items = await em.find(v.entity, { id: { $gt: first, $lte: first + rows } });
  for (const item of items) em.remove(item);
  const t = process.cpuUsage();
  const w0 = process.hrtime.bigint() / 1000n;
  await em.flush();
  windows.push([Number(w0), Number(process.hrtime.bigint() / 1000n)]);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
const times = []; const windows = [];
for (let r = 0; r < 16; r++) times.push(await round(r * rows));
console.log(variant, times.map(t => t.toFixed(1)).join(' '), 'median(last8)', times.slice(4).sort((a,b)=>a-b)[6].toFixed(1));
await v.close();
if (process.env.SD_WINDOWS) (await import('node:fs')).writeFileSync(process.env.SD_WINDOWS, JSON.stringify(windows.slice(4)));
