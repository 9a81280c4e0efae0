// The targets of the performance issue (#14), computed from results/latest.json: instruction counts where
// they exist (callgrind, the same on every run), the timed median beside them, each marked met, missed or
// not measured. A figure that is not in latest.json is "not measured", never estimated. When the two
// variants of a ratio come from different runs, the row says so.

const finite = v => typeof v === 'number' && Number.isFinite(v);
const x = (v, d = 3) => (finite(v) ? `${v.toFixed(d)}×` : '—');
const int = v => (finite(v) ? Math.round(v).toLocaleString('en') : '—');
const day = iso => (typeof iso === 'string' ? iso.slice(0, 10) : '?');
// Timed runs dated before this day ran before batch hooks landed; their rows say so.
const beforeBatchHooks = iso => typeof iso === 'string' && iso.slice(0, 10) < '2026-12-07';
const verdict = (v, limit) => (finite(v) ? (v <= limit ? 'met' : 'missed') : 'not measured');

/** One instruction ratio: { value, text, note } from two per-row counts. */
function ratio(num, den, label) {
  if (!finite(num) || !finite(den)) return { value: null, text: '—' };
  const value = Math.round((num / den) * 1000) / 1000;
  return { value, text: `${x(value)} (${int(num)} ÷ ${int(den)}${label ? `; ${label}` : ''})` };
}

/**
 * @param {Record<string, any>} S  latest.scenarios
 * @returns {{ rows: Array<{ target: string, measure: string, instructions: string, timed: string, status: string, bar?: object }> }}
 */
export function headlineTargets(S) {
  const rows = [];
  const ins = S.instructions;
  const later = ins?.remeasured;
  const insRow = w => ins?.results?.find(r => r.workload === w);
  const laterRow = w => later?.results?.find(r => r.workload === w);
  const timed = (name, pick, key = 'c/a') => {
    const r = S[name]?.results?.find(pick);
    const v = r?.ratios?.[key]?.median;
    if (!finite(v)) return { value: null, text: 'not measured' };
    const rounds = S[name].settings?.rounds ?? S[name].rounds;
    return { value: v, text: `${x(v, 2)} (${day(S[name].date)}, ${rounds} round${rounds === 1 ? '' : 's'}, load ${S[name].machine.loadAverage1m.before}–${S[name].machine.loadAverage1m.after})` };
  };
  const push = (target, limit, measure, instr, tm, bar, floor) => {
    const timedVerdict = finite(tm.value) ? `; timed ${verdict(tm.value, limit)}` : '';
    const floorVerdict = finite(floor?.value) && floor.value > limit ? `; the floor itself is ${x(floor.value)}` : '';
    const status = finite(instr.value) ? `${verdict(instr.value, limit)}${timedVerdict}${floorVerdict}` : finite(tm.value) ? `${verdict(tm.value, limit)} (timed only)` : 'not measured';
    const instructions = finite(floor?.value) ? `${instr.text}; floor f/a ${floor.text}, c/f ${x(floor.ours)}` : instr.text;
    rows.push({ target, measure, instructions, timed: tm.text, status, bar: bar && { ...bar, value: instr.value, target: limit } });
  };
  // The floor (variant f): bare MikroORM doing c's writes and hook bodies by hand, in the same run as a and c.
  const floorOf = r => {
    const f = r?.instructionsPerRow?.f;
    const a = r?.instructionsPerRow?.a;
    const c = r?.instructionsPerRow?.c;
    return finite(f) && finite(a) && finite(c) ? { value: Math.round((f / a) * 1000) / 1000, text: `${x(f / a)} (${int(f)})`, ours: Math.round((c / f) * 1000) / 1000 } : undefined;
  };
  const sqliteOneFlush = r => r.db === 'sqlite-memory' && r.mode === 'one-flush';

  // Timestamp + validation, flush insert and update: a, b and c of the batch-hook run are one run.
  const insDate = ins?.note?.match(/\d{4}-\d{2}-\d{2}/)?.[0] ?? day(ins?.date);
  const insBranch = ins?.note?.match(/ on (h-[\w-]+)/)?.[1];
  // The target's own size, 10,000 rows, where that run exists (instructions-10k); else the 3,000-row run.
  const ten = S['instructions-10k'];
  for (const [w, name] of [['flush-insert', 'insert'], ['flush-update', 'update']]) {
    const r10 = ten?.results?.find(q => q.workload === w);
    const r = r10 ?? insRow(w);
    const label = r10 ? `${day(ten.date)}, one run` : `${insDate}${insBranch ? ` ${insBranch} (batch hooks)` : ''}, one run`;
    const i = ratio(r?.instructionsPerRow?.c, r?.instructionsPerRow?.a, label);
    const t = timed(w, sqliteOneFlush);
    if (t.value !== null && beforeBatchHooks(S[w]?.date)) t.text = `${t.text}, before batch hooks`;
    const rows = r10 ? '10,000 rows' : 'instructions: 3,000 rows; timed: 10,000';
    push('timestamp + validation, c/a ≤ 1.15', 1.15, `flush ${name}, SQLite in memory (${rows})`, i, t, { label: `${name}`, series: 'ca', source: r10 ? 'instructions-10k' : 'instructions' }, floorOf(r));
  }

  // Soft-delete remove and audit: the newest counts are the re-measurement (a and c in one run each).
  const laterLabel = later ? `${later.date} ${later.branch}, one run${later.branch.startsWith('h-') ? ', before batch hooks' : ''}` : '';
  const removeLater = laterRow('remove');
  const removeOld = insRow('remove');
  const removeI = removeLater
    ? ratio(removeLater.instructionsPerRow.c, removeLater.instructionsPerRow.a, laterLabel)
    : ratio(removeOld?.instructionsPerRow?.c, removeOld?.instructionsPerRow?.a, `${removeOld?.run ?? day(ins?.date)}, one run`);
  push('soft-delete remove, c/a ≤ 1.3', 1.3, 'remove, SQLite in memory', removeI, timed('remove', sqliteOneFlush), { label: 'soft-delete remove', series: 'ca' }, removeLater ? undefined : floorOf(removeOld));

  for (const op of ['insert', 'update', 'remove']) {
    const r = laterRow(`audit-${op}`) ?? insRow(`audit-${op}`);
    const label = !later ? `${r?.run ?? day(ins?.date)}, one run` : r?.aFrom ? `c ${later.date} ${later.branch}, before batch hooks; ${r.aFrom}: different runs` : laterLabel;
    const i = ratio(r?.instructionsPerRow?.c, r?.instructionsPerRow?.a, label);
    const sqlite = timed('flush-audit', q => q.db === 'sqlite-memory' && q.workload === op);
    const pg = timed('flush-audit', q => q.db === 'postgresql' && q.workload === op);
    const tm = { value: sqlite.value, text: sqlite.value === null ? sqlite.text : `SQLite ${sqlite.text}; PostgreSQL ${x(pg.value, 2)}` };
    push('audit (all four plugins), c/a ≤ 2.0', 2.0, `audit ${op}, SQLite in memory`, i, tm, { label: `audit ${op}`, series: 'ca' }, later ? undefined : floorOf(r));
  }

  // Installed, nothing attached: d/a ≤ 1.01 in instructions, every scenario.
  const idle = S['instructions-idle'];
  for (const r of idle?.results ?? []) {
    const label = r.note ? `an earlier run at bfda029, a and d in one run` : `${day(idle.date)}, one run`;
    const i = ratio(r.instructionsPerRow.d, r.instructionsPerRow.a, label);
    const t =
      r.workload === 'flush-insert'
        ? timed('flush-insert', sqliteOneFlush, 'd/a')
        : timed('read', q => q.db === 'sqlite-memory' && q.op === (r.workload === 'read-find' ? 'find' : 'findOne'), 'd/a');
    push('installed, nothing attached, d/a ≤ 1.01', 1.01, `${r.workload}, SQLite in memory (1,000 rows)`, i, t, { label: { 'read-findone': 'findOne by id', 'read-find': 'find', 'flush-insert': 'flush insert' }[r.workload] ?? r.workload, series: 'da' });
  }
  for (const w of ['flush-update', 'remove']) {
    const r = insRow(w);
    const sameRun = !ins?.note?.includes(w);
    // A workload re-measured on its own says so (r.run): its variants are still of one run.
    const label = r?.run ? `${r.run}, one run` : sameRun ? `${day(ins?.date)}, one run` : `d ${day(ins?.date)}, a ${insDate}: different runs`;
    const i = ratio(r?.instructionsPerRow?.d, r?.instructionsPerRow?.a, label);
    push('installed, nothing attached, d/a ≤ 1.01', 1.01, `${w}, SQLite in memory (3,000 rows)`, i, timed(w, sqliteOneFlush, 'd/a'), { label: w === 'remove' ? 'remove' : 'flush update', series: 'da' });
  }
  rows.push({ target: 'installed, nothing attached, d/a ≤ 1.01', measure: 'audit, cache, scale, peers scenarios', instructions: '—', timed: '—', status: 'not measured' });

  // Memory: heap per entity (bytes, not instructions).
  const mem = S.memory?.results?.[0];
  const memV = mem?.ratios?.['c/a']?.median;
  rows.push({
    target: 'memory, c/a ≤ 1.1',
    measure: 'heap per entity after find() of 100,000 rows, all four plugins attached',
    instructions: '— (bytes, not instructions)',
    timed: finite(memV) ? `${x(memV)} (${int(mem.figures.c.value.median)} ÷ ${int(mem.figures.a.value.median)} bytes; ${day(S.memory.date)}, ${S.memory.settings.rounds} rounds)` : 'not measured',
    status: verdict(memV, 1.1),
  });

  // Import cost: the target is in ms; instructions give a ratio, not milliseconds.
  const imp = S['import-instructions'];
  const impT = S['import-cost']?.results?.[0];
  const impMs = impT?.added?.b?.median;
  rows.push({
    target: 'import cost ≤ 15 ms over @mikro-orm/core',
    measure: "import 'mikro-orm-plugins' over core alone",
    instructions: imp ? `${x(imp.derived['b/a'])} core (+${(imp.derived.addedByPackage / 1e6).toFixed(1)} M; ${day(imp.date)}); no ms figure` : '—',
    timed: finite(impMs) ? `${impMs.toFixed(0)} ms (${day(S['import-cost'].date)}, load ${S['import-cost'].machine.loadAverage1m.before}–${S['import-cost'].machine.loadAverage1m.after})` : 'not measured',
    status: finite(impMs) ? `${impMs <= 15 ? 'met' : 'missed'} (timed${Math.max(S['import-cost'].machine.loadAverage1m.before, S['import-cost'].machine.loadAverage1m.after) > 3 ? ', loaded machine' : ''})` : 'not measured',
  });

  // Cache: memory-store hit ≤ 5 µs; Redis hit ≤ 1.5× a raw GET + deserialise.
  const hit = S['cache-hit-instructions'];
  const cacheMem = S.cache?.results?.find(r => r.db === 'sqlite-memory');
  const hitUs = cacheMem?.figures?.c?.value?.median;
  // e: the hit into a request's em; m: MikroORM's entity factory merge alone, the floor of any hit (same rounds).
  const inEm = cacheMem?.figures?.e?.value?.median;
  const merge = cacheMem?.figures?.m?.value?.median;
  const cacheRun = S.cache ? `${day(S.cache.date)}, load ${S.cache.machine.loadAverage1m.before}–${S.cache.machine.loadAverage1m.after}` : '';
  rows.push({
    target: 'cache, memory-store hit ≤ 5 µs',
    measure: "findOne(Entity, pk) into a request's em, SQLite in memory",
    instructions: hit ? `${int(hit.instructionsPerLookup['em-hit'] ?? hit.instructionsPerLookup.hit)} per hit, ${int(hit.instructionsPerLookup['em-floor'] ?? hit.instructionsPerLookup.floor)} of them MikroORM's entity factory (${day(hit.date)}); no µs figure` : '—',
    timed: finite(inEm)
      ? `${inEm.toFixed(1)} µs; MikroORM's factory merge alone ${finite(merge) ? merge.toFixed(1) : '—'} µs; with a fork per lookup ${finite(hitUs) ? hitUs.toFixed(1) : '—'} µs (${cacheRun})`
      : finite(hitUs) ? `${hitUs.toFixed(1)} µs with a fork per lookup (${cacheRun})` : 'not measured',
    status: finite(inEm)
      ? `${inEm <= 5 ? 'met' : 'missed'} (timed only${finite(merge) && merge > 5 ? "; MikroORM's merge alone is over the target" : ''})`
      : finite(hitUs) ? `${hitUs <= 5 ? 'met' : 'missed'} (timed only)` : 'not measured',
  });
  // d/r per database: the findOne Redis hit ÷ one raw GET + deserialize timed in the same rounds; g/r the same
  // hit into a request's em.
  const redisRows = (S.cache?.results ?? []).filter(r => finite(r.ratios?.['d/r']?.median));
  const redisLimit = redisRows[0]?.targets?.['d/r']?.target ?? 1.5;
  const DBS = { 'sqlite-memory': 'SQLite in memory', 'sqlite-file': 'SQLite file', postgresql: 'PostgreSQL' };
  const spread = q => `${x(q.median, 2)} (${x(q.min, 2)}–${x(q.max, 2)})`;
  const redisText = redisRows
    .map(r => `${DBS[r.db] ?? r.db} ${r.ratios['g/r'] ? `${spread(r.ratios['g/r'])}, with a fork per lookup ` : ''}${spread(r.ratios['d/r'])}`)
    .join('; ');
  const redisRun = redisRows.length ? `${day(S.cache.date)}, ${S.cache.settings?.rounds} rounds, load ${S.cache.machine.loadAverage1m.before}–${S.cache.machine.loadAverage1m.after}` : '';
  const redisWorst = Math.max(...redisRows.map(r => (r.ratios['g/r'] ?? r.ratios['d/r']).median));
  rows.push({
    target: `cache, Redis hit ≤ ${redisLimit}× raw ioredis GET + deserialise`,
    measure: `findOne(Entity, pk) Redis hit${redisRows.some(r => r.ratios['g/r']) ? " into a request's em" : ', a fork per lookup,'} ÷ one ioredis GET + v8.deserialize, same rounds`,
    instructions: redisInstructions(S['redis-hit-instructions']),
    timed: redisRows.length ? `${redisText} (${redisRun})` : 'no raw GET figure in latest.json',
    status: redisRows.length ? `${verdict(redisWorst, redisLimit)} (timed only)` : 'not measured',
  });

  // Scale.
  const sc = S['scale-instructions'];
  const scT = S.scale?.results?.flush?.targets;
  for (const [k, num, den, tk, what] of [
    ['E500/E10', 'E500', 'E10', 'entities', '500 entity classes ÷ 10'],
    ['E100x20/E100', 'E100x20', 'E100', 'others', '20 plugins on every other entity ÷ 1'],
  ]) {
    const i = ratio(sc?.instructionsPerRow?.[num], sc?.instructionsPerRow?.[den], sc ? `${day(sc.date)}, one run` : '');
    const tv = scT?.[tk]?.measured;
    const t = { value: tv ?? null, text: finite(tv) ? `${x(tv, 2)} flush (${day(S.scale.date)})` : 'not measured' };
    push(`scale, ${what} ≤ 1.05`, 1.05, `flush, SQLite in memory (${k})`, i, t);
  }

  // Peers: ours lowest in ratio and in added µs per row, against MikroORM hand-written, Sequelize, TypeORM.
  const peers = S.peers;
  if (peers) {
    const n = peers.settings.rows;
    for (const db of ['postgresql', 'sqlite-memory']) {
      for (const w of ['insert', 'update']) {
        const rs = peers.results.filter(r => r.db === db && r.workload === w);
        const mikro = rs.find(r => r.orm === 'MikroORM');
        if (!mikro?.figures?.ours) continue;
        const added = (r, k) => ((r.figures[k].ms.median - r.figures.plain.ms.median) * 1000) / n;
        const ours = { ratio: mikro.ratiosToWithoutHooks.ours.median, us: added(mikro, 'ours') };
        const others = [{ orm: 'MikroORM hand-written', ratio: mikro.ratiosToWithoutHooks.hooked.median, us: added(mikro, 'hooked') }];
        for (const r of rs) if (r.orm !== 'MikroORM') others.push({ orm: r.orm, ratio: r.ratiosToWithoutHooks.hooked.median, us: added(r, 'hooked') });
        const lowest = others.every(o => ours.ratio < o.ratio) && others.every(o => ours.us < o.us);
        rows.push({
          target: 'peers: ours lowest ratio and added µs per row',
          measure: `${db === 'postgresql' ? 'PostgreSQL' : 'SQLite in memory'} ${w}, ${n.toLocaleString('en')} rows`,
          instructions: peersInstructions(S['peers-instructions'], db, w),
          timed: `ours ${x(ours.ratio, 2)}, ${ours.us.toFixed(1)} µs; ${others.map(o => `${o.orm} ${x(o.ratio, 2)}, ${o.us.toFixed(1)} µs`).join('; ')} (${day(peers.date)}${beforeBatchHooks(peers.date) ? ', before batch hooks' : ''})`,
          status: `${lowest ? 'met' : 'missed'} (timed only)`,
        });
      }
    }
  } else rows.push({ target: 'peers: ours lowest ratio and added µs per row', measure: 'peers', instructions: '—', timed: 'not measured', status: 'not measured' });

  return { rows };
}

/** The client's part of a Redis hit in instructions (profile/redis-hit.mjs): the wait for Redis is not in it, so it backs the timed ratio, not the target. */
function redisInstructions(run) {
  const n = run?.instructionsPerLookup;
  if (!n?.get || !n['em-hit']) return '—';
  return `client only: hit into an em ${int(n['em-hit'])} ÷ raw GET ${int(n.get)} = ${(n['em-hit'] / n.get).toFixed(2)}×; the store's read ${int(n.read)} (${(n.read / n.get).toFixed(2)}× a GET, ${(n.read / n.mget).toFixed(2)}× a raw MGET of its three keys) (${run.date.slice(0, 10)})`;
}

/** One peers workload in client instructions (profile/peers-instructions.mjs): each ORM's with ÷ without hooks and added per row, MikroORM's floor too. */
function peersInstructions(run, db, workload) {
  const rs = (run?.results ?? []).filter(r => r.db === db && r.workload === workload);
  if (rs.length === 0) return '—';
  const part = (name, ratio, added) => `${name} ${ratio.toFixed(3)}× (${added < 0 ? '−' : '+'}${int(Math.abs(added))})`;
  const parts = [];
  for (const r of rs) {
    if (r.orm !== 'MikroORM') parts.push(part(r.orm, r.withHooksRatio, r.addedPerRow));
    else {
      parts.unshift(part('ours', r.withHooksRatio, r.addedPerRow), part('hand-written', r.handWrittenRatio, r.handWrittenAddedPerRow));
      if (r.floorRatio !== undefined) parts.splice(2, 0, part('MikroORM by hand, no hook', r.floorRatio, r.floorAddedPerRow));
    }
  }
  return `${parts.join('; ')} (${rs[0].date}, ${rs[0].warmups ?? 1} warm-up round${(rs[0].warmups ?? 1) === 1 ? '' : 's'})`;
}
