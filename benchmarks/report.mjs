// Turns results/latest.json into results/summary.md (every target, met or missed, and the main tables) and
// results/overhead.svg (bars of the overhead ratios per scenario, with the peer ORMs). Plain SVG, no library:
// an explicit white background and dark text, so it reads the same in GitHub's light and dark modes.
//   node benchmarks/report.mjs [--out=DIR]      (npm run bench runs it after the benchmarks; npm run bench:report)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactChart } from './lib/compact-chart.mjs';
import { resultsDir } from './lib/results.mjs';

const latest = JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8'));
const S = latest.scenarios ?? {};
const x3 = v => (v === null || v === undefined ? '—' : `${v.toFixed(3)}×`);
const num = v => (v === null || v === undefined ? '—' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
// Cache figures are a hit's time ÷ the database's (c/b); shown as a speed-up, its inverse.
const speedup = ratio => (ratio ? `${(1 / ratio).toFixed(1)}×` : '—');
const DB = { 'sqlite-memory': 'SQLite mem', 'sqlite-file': 'SQLite file', postgresql: 'PostgreSQL' };
const MODE = { 'one-flush': 'one flush', batches: 'batches' };

// ------------------------------------------------------------------------------------------ targets
const targets = []; // { scenario, what, target, measured, met, db }
for (const name of ['flush-insert', 'flush-update', 'remove']) {
  const s = S[name];
  if (!s) continue;
  for (const r of s.results) {
    for (const k of ['c/b', 'd/a']) {
      targets.push({ scenario: name, what: `${DB[r.db]}, ${MODE[r.mode]}: ${k}`, target: `≤ ${r.targets[k].target}`, measured: x3(r.ratios[k].median), range: `${x3(r.ratios[k].min)}–${x3(r.ratios[k].max)}`, met: r.targets[k].met });
    }
  }
}
if (S['flush-audit']) {
  for (const r of S['flush-audit'].results) {
    const k = 'c/b';
    targets.push({ scenario: 'flush-audit', what: `${DB[r.db]}, ${r.workload}: c/b`, target: `≤ ${r.targets[k].target}`, measured: x3(r.ratios[k].median), range: `${x3(r.ratios[k].min)}–${x3(r.ratios[k].max)}`, met: r.targets[k].met });
  }
}
if (S.instructions) {
  // Instruction counts (callgrind, node --predictable): deterministic, so no per-round range.
  for (const r of S.instructions.results) {
    for (const [k, limit] of [['c/b', 1.05], ['d/a', 1.02]]) {
      if (r.ratios[k] === null) continue;
      targets.push({ scenario: 'instructions', what: `SQLite mem, ${r.workload}, one flush: ${k}`, target: `≤ ${limit}`, measured: x3(r.ratios[k]), range: '', met: r.ratios[k] <= limit });
    }
  }
}
if (S.read) {
  for (const r of S.read.results) {
    for (const k of ['c/b', 'd/a']) {
      targets.push({ scenario: 'read', what: `${DB[r.db]}, ${r.op}: ${k}`, target: `≤ ${r.targets[k].target}`, measured: x3(r.ratios[k].median), range: `${x3(r.ratios[k].min)}–${x3(r.ratios[k].max)}`, met: r.targets[k].met });
    }
  }
}
if (S.scale) {
  for (const [op, r] of Object.entries(S.scale.results)) {
    for (const t of Object.values(r.targets)) {
      const perHook = t.what.startsWith('worst');
      targets.push({
        scenario: 'scale',
        what: `${op}: ${t.what}`,
        target: perHook ? `≤ ${(t.target * 100).toFixed(0)}% per hook` : `≤ ${t.target}`,
        measured: perHook ? `${(t.measured * 100).toFixed(1)}% per hook` : x3(t.measured),
        range: '',
        met: t.met,
      });
    }
  }
}
if (S.peers) {
  for (const t of S.peers.targets) {
    targets.push({
      scenario: 'peers',
      what: `${DB[t.db]}, ${t.workload}: ours vs ${t.peers.map(p => p.orm).join(', ')}`,
      target: 'ours lowest',
      measured: `ours ${x3(t.ours)}; ${t.peers.map(p => `${p.orm} ${x3(p.ratio)}`).join(', ')}`,
      range: '',
      met: t.met,
    });
  }
}
if (S.cache) {
  for (const r of S.cache.results) {
    const t = r.targets['c/b'];
    targets.push({ scenario: 'cache', what: `${DB[r.db]}, findOne by id: hit ÷ database (b ÷ c)`, target: `≥ ${speedup(t.target)}`, measured: speedup(r.ratios['c/b'].median), range: `${speedup(r.ratios['c/b'].max)}–${speedup(r.ratios['c/b'].min)}`, met: t.met });
  }
}
if (S.memory) {
  for (const r of S.memory.results) {
    for (const [k, t] of Object.entries(r.targets)) {
      targets.push({ scenario: 'memory', what: `${DB[r.db]}, heap per entity after find(): ${k}`, target: `≤ ${t.target}`, measured: x3(r.ratios[k].median), range: `${x3(r.ratios[k].min)}–${x3(r.ratios[k].max)}`, met: t.met });
    }
  }
}
if (S['import-cost']) {
  const [r] = S['import-cost'].results;
  const t = r.targets['b − a'];
  targets.push({ scenario: 'import-cost', what: `import 'mikro-orm-plugins' over core alone (b − a; b ÷ a ${x3(r.ratios['b/a'].median)})`, target: `≤ ${t.target} ms`, measured: `${num(r.added.b.median)} ms`, range: `${num(r.added.b.min)}–${num(r.added.b.max)} ms`, met: t.met });
}
if (S.dispatch) {
  for (const r of S.dispatch.results) {
    if (r.target === null) continue;
    const measured = r.n === 0 ? `${num(r.figures.subscriber.medianNs)} ns` : x3(r.ratiosVsPlain.dispatch.median);
    targets.push({ scenario: 'dispatch', what: `${r.scenario}, N = ${r.n}`, target: r.target, measured, range: '', met: r.met });
  }
}

// ------------------------------------------------------------------------------------------ summary.md
const md = [];
const when = Object.values(S).map(s => s.date).sort();
const anyScenario = Object.values(S)[0];
md.push('# Benchmark summary');
md.push('');
md.push(
  `Generated by \`node benchmarks/report.mjs\` from \`results/latest.json\`. Runs from ${when[0]?.slice(0, 16).replace('T', ' ')} to ${when.at(-1)?.slice(0, 16).replace('T', ' ')} UTC` +
    (anyScenario ? ` on ${anyScenario.machine.cpu} (${anyScenario.machine.cores} cores, ${anyScenario.machine.totalMemGiB} GiB), Node ${anyScenario.node}` : '') +
    '. Reproduce with `npm run bench` (about 15 minutes); one scenario with `npm run bench -- <name>`.',
);
md.push('');
md.push('| scenario | date | commit | load average (1 min) before → after | rounds | seconds | smoke? |');
md.push('|---|---|---|---|---|---|---|');
for (const [name, s] of Object.entries(S)) {
  const rounds = s.settings?.rounds ?? s.rounds;
  md.push(`| ${name} | ${s.date.slice(0, 16).replace('T', ' ')} | ${s.commit ?? '—'} | ${s.machine.loadAverage1m.before} → ${s.machine.loadAverage1m.after} | ${rounds} | ${s.seconds ?? '—'} | ${s.settings?.smoke || s.smoke ? '**yes**' : 'no'} |`);
}
md.push('');
md.push('## Targets');
md.push('');
md.push('| scenario | measure | target | measured (median) | per-round range | met? |');
md.push('|---|---|---|---|---|---|');
for (const t of targets) md.push(`| ${t.scenario} | ${t.what} | ${t.target} | ${t.measured} | ${t.range || '—'} | ${t.met === null ? '—' : t.met ? 'yes' : '**no**'} |`);
md.push('');
md.push('## Flush and read: median time per operation');
md.push('');
md.push('a: bare MikroORM · b: hand-written MikroORM hooks · c: our plugins · d: ours installed, no plugin. Flush scenarios: ms spent in `em.flush()`; read: ms per `find` of every row, µs per `findOne`.');
md.push('');
md.push('| scenario | database | operation | a | b | c | d | c/b | d/a | b/a |');
md.push('|---|---|---|---|---|---|---|---|---|---|');
for (const name of ['flush-insert', 'flush-update', 'remove', 'read']) {
  const s = S[name];
  if (!s) continue;
  for (const r of s.results) {
    const f = k => num((r.figures[k].ms ?? r.figures[k].value).median);
    md.push(`| ${name} | ${r.database} | ${r.modeLabel ?? r.opLabel} | ${f('a')} | ${f('b')} | ${f('c')} | ${f('d')} | ${x3(r.ratios['c/b'].median)} | ${x3(r.ratios['d/a'].median)} | ${x3(r.ratios['b/a'].median)} |`);
  }
}
if (S['flush-audit']) {
  md.push('', `## Flush with audit rows (${S['flush-audit'].settings.rows.toLocaleString('en')} rows in one flush; ms in flush)`, '');
  md.push('| database | operation | a: bare | b: hand-written + audit | c: our plugins + audit | c/b | b/a |');
  md.push('|---|---|---|---|---|---|---|');
  for (const r of S['flush-audit'].results) {
    md.push(`| ${r.database} | ${r.workload} | ${num(r.figures.a.ms.median)} | ${num(r.figures.b.ms.median)} | ${num(r.figures.c.ms.median)} | ${x3(r.ratios['c/b'].median)} | ${x3(r.ratios['b/a'].median)} |`);
  }
}
if (S.peers) {
  md.push('', `## Peers: each ORM's with-hooks ÷ without-hooks (${S.peers.settings.rows.toLocaleString('en')} rows)`, '');
  md.push('| ORM | database | workload | without hooks ms | with hooks ms | ratio | with our plugins ms | ratio |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of S.peers.results) {
    const f = k => (r.figures[k] ? num(r.figures[k].ms.median) : '—');
    md.push(`| ${r.orm} | ${r.database} | ${r.workload} | ${f('plain')} | ${f('hooked')} | ${x3(r.ratiosToWithoutHooks.hooked?.median)} | ${f('ours')} | ${x3(r.ratiosToWithoutHooks.ours?.median)} |`);
    if (r.figures.individual) md.push(`| Sequelize (individualHooks) | ${r.database} | ${r.workload} | ${f('plain')} | ${f('individual')} | ${x3(r.ratiosToWithoutHooks.individual.median)} | — | — |`);
  }
}
if (S.scale) {
  md.push('', '## Scale (SQLite in memory)', '');
  md.push('| entity classes | plugins on target | plugins on each other entity | flush µs per row | dispatch ns |');
  md.push('|---|---|---|---|---|');
  for (const [key, f] of Object.entries(S.scale.results.flush.figures)) {
    const d = S.scale.results.dispatch.figures[key];
    md.push(`| ${f.orm.replace(/^E(\d+).*/, '$1')} | ${f.k} | ${f.orm.endsWith('x20') ? 20 : 1} | ${num(f.value.median)} | ${num(d.value.median)} |`);
  }
}
if (S.instructions) {
  const i = S.instructions;
  md.push('', `## Flush cost in instructions (callgrind, \`node --predictable\`; SQLite in memory, ${i.settings.rows.toLocaleString('en')} rows in one flush)`, '');
  md.push('Instructions per flushed row: the same count on every run, whatever else the machine does. `node benchmarks/profile/instructions.mjs` (about 20 minutes).', '');
  md.push('| workload | a | b | c | d | c/b | d/a | b/a |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of i.results) {
    const n = k => (r.instructionsPerRow[k] === undefined ? '—' : Math.round(r.instructionsPerRow[k]).toLocaleString('en'));
    md.push(`| ${r.workload} | ${n('a')} | ${n('b')} | ${n('c')} | ${n('d')} | ${x3(r.ratios['c/b'])} | ${x3(r.ratios['d/a'])} | ${x3(r.ratios['b/a'])} |`);
  }
}
if (S.cache) {
  md.push('', `## Cache: \`findOne\` by primary key (${S.cache.settings.rows} rows; µs per call)`, '');
  md.push('| database | a: no cache plugin | b: plugin switched off | c: hit, memory store | d: hit, Redis store | speed-up b÷c | target |');
  md.push('|---|---|---|---|---|---|---|');
  for (const r of S.cache.results) {
    const f = k => num(r.figures[k].value.median);
    md.push(`| ${DB[r.db]} | ${f('a')} | ${f('b')} | ${f('c')} | ${f('d')} | ${speedup(r.ratios['c/b'].median)} | ≥ ${speedup(r.targets['c/b'].target)} |`);
  }
}
md.push('', '![Overhead ratios](overhead.svg)', '');
writeFileSync(join(resultsDir, 'summary.md'), md.join('\n'));

// ------------------------------------------------------------------------------------------ overhead.svg
// Groups of bars; each bar is a ratio drawn from 1.0 (no overhead), so overhead grows to the right.
const COLORS = {
  ours: '#1f6feb', // our plugins vs hand-written (c/b)
  installed: '#2da44e', // ours installed, no plugin vs bare (d/a)
  hand: '#8c959f', // hand-written MikroORM vs bare (b/a)
  sequelize: '#d4760b',
  typeorm: '#bf3989',
  scale: '#6e40c9',
  cache: '#0a7d6e',
};
const LEGEND = [
  ['ours', 'our plugins ÷ hand-written MikroORM hooks (c/b); peers: MikroORM + our plugins ÷ bare'],
  ['installed', 'ours installed, no plugin ÷ bare MikroORM (d/a)'],
  ['hand', 'hand-written MikroORM hooks ÷ bare MikroORM (b/a, and in peers)'],
  ['sequelize', 'Sequelize with hooks ÷ without'],
  ['typeorm', 'TypeORM with subscriber ÷ without'],
  ['scale', 'scale: cost ratio (see labels)'],
  ['cache', 'cache: a hit’s speed-up over the database (its own axis)'],
];
const sections = [];
const flushBars = (name, title) => {
  const s = S[name];
  if (!s) return;
  sections.push({
    title,
    groups: s.results.map(r => ({
      label: `${DB[r.db]} · ${r.mode ? MODE[r.mode] : r.op}`,
      target: r.targets['c/b'].target,
      bars: [
        { color: 'ours', value: r.ratios['c/b'].median, min: r.ratios['c/b'].min, max: r.ratios['c/b'].max },
        { color: 'installed', value: r.ratios['d/a'].median, min: r.ratios['d/a'].min, max: r.ratios['d/a'].max },
        { color: 'hand', value: r.ratios['b/a'].median, min: r.ratios['b/a'].min, max: r.ratios['b/a'].max },
      ],
    })),
  });
};
flushBars('flush-insert', `flush-insert (${(S['flush-insert']?.settings.rows ?? 0).toLocaleString('en')} rows; target c/b ≤ 1.05, d/a ≤ 1.02)`);
flushBars('flush-update', `flush-update (${(S['flush-update']?.settings.rows ?? 0).toLocaleString('en')} rows)`);
flushBars('remove', `remove (${(S.remove?.settings.rows ?? 0).toLocaleString('en')} rows; soft delete in b and c)`);
if (S.instructions) {
  sections.push({
    title: 'flush cost in instructions (callgrind; SQLite in memory, one flush; deterministic, so no whiskers)',
    groups: S.instructions.results.map(r => ({
      label: `instructions · ${r.workload}`,
      target: 1.05,
      bars: [
        ['ours', 'c/b'],
        ['installed', 'd/a'],
        ['hand', 'b/a'],
      ]
        .filter(([, k]) => r.ratios[k] !== null)
        .map(([color, k]) => ({ color, value: r.ratios[k] })),
    })),
  });
}
if (S['flush-audit']) {
  sections.push({
    title: `flush-audit (${S['flush-audit'].settings.rows.toLocaleString('en')} rows in one flush, with audit rows in b and c)`,
    groups: S['flush-audit'].results.map(r => ({
      label: `${DB[r.db]} · ${r.workload}`,
      target: r.targets['c/b'].target,
      bars: [
        { color: 'ours', value: r.ratios['c/b'].median, min: r.ratios['c/b'].min, max: r.ratios['c/b'].max },
        { color: 'hand', value: r.ratios['b/a'].median, min: r.ratios['b/a'].min, max: r.ratios['b/a'].max },
      ],
    })),
  });
}
flushBars('read', 'read (soft-delete filter: c/b ≤ 1.05)');
if (S.peers) {
  sections.push({
    title: `peers: each ORM's with-hooks ÷ without-hooks (${S.peers.settings.rows.toLocaleString('en')} rows; target: ours lowest)`,
    groups: ['postgresql', 'sqlite-memory'].flatMap(db =>
      ['insert', 'update']
        .map(workload => {
          const rows = S.peers.results.filter(r => r.db === db && r.workload === workload);
          if (rows.length === 0) return null;
          const bars = [];
          for (const r of rows) {
            const q = k => r.ratiosToWithoutHooks[k];
            if (r.orm === 'MikroORM') {
              bars.push({ color: 'ours', value: q('ours').median, min: q('ours').min, max: q('ours').max, tag: 'Mikro+ours' });
              bars.push({ color: 'hand', value: q('hooked').median, min: q('hooked').min, max: q('hooked').max, tag: 'Mikro hand' });
            } else bars.push({ color: r.orm.toLowerCase(), value: q('hooked').median, min: q('hooked').min, max: q('hooked').max, tag: r.orm });
          }
          return { label: `${DB[db]} · ${workload}`, bars };
        })
        .filter(Boolean),
    ),
  });
}
if (S.scale) {
  const groups = [];
  for (const [op, r] of Object.entries(S.scale.results)) {
    const t = r.targets;
    groups.push({
      label: `${op}: E${S.scale.settings.entities.at(-1)}÷E${S.scale.settings.entities[0]}, others 20÷1`,
      target: 1.1,
      bars: [
        { color: 'scale', value: t.entities.measured, tag: 'entities' },
        { color: 'scale', value: t.others.measured, tag: 'others' },
      ],
    });
    groups.push({
      label: `${op}: 20 hooks ÷ 1 (target ≤ ${(1 + 19 * 0.1).toFixed(1)})`,
      bars: [{ color: 'scale', value: r.hooksSweep.at(-1).ratioToOneHook.median, tag: 'k=20' }],
    });
  }
  sections.push({ title: 'scale (SQLite in memory; entities and others targets ≤ 1.05)', groups });
}

const W = 1100;
const LEFT = 300;
const RIGHT = 150;
const BAR = 13;
const GAP = 3;
const plotW = W - LEFT - RIGHT;
const values = sections.flatMap(s => s.groups.flatMap(g => g.bars.flatMap(b => [b.value, b.min ?? b.value]))).filter(Number.isFinite);
// A linear axis from 0.6× to 3×, at most: a bar or whisker beyond is cut at the edge and its label says so (▸).
const lo = Math.max(0.6, Math.min(0.8, Math.floor(Math.min(...values) * 10) / 10));
const hi = Math.max(1.2, Math.ceil(Math.min(Math.max(...values), 3) * 10) / 10);
const sx = v => LEFT + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * plotW;
const esc = t => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const body = [];
let y = 70;
const sectionTops = [];
for (const section of sections) {
  body.push(`<text x="16" y="${y}" class="h">${esc(section.title)}</text>`);
  y += 10;
  sectionTops.push(y);
  for (const g of section.groups) {
    const h = g.bars.length * (BAR + GAP) + 8;
    body.push(`<text x="${LEFT - 8}" y="${y + h / 2 + 2}" class="l" text-anchor="end">${esc(g.label)}</text>`);
    let by = y + 4;
    for (const b of g.bars) {
      if (!Number.isFinite(b.value)) continue;
      const x0 = sx(1);
      const x1 = sx(b.value);
      body.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${by}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${BAR}" fill="${COLORS[b.color]}"/>`);
      if (Number.isFinite(b.min) && Number.isFinite(b.max) && b.min !== b.max) {
        body.push(`<line x1="${sx(b.min).toFixed(1)}" x2="${sx(b.max).toFixed(1)}" y1="${by + BAR / 2}" y2="${by + BAR / 2}" class="range"/>`);
      }
      const clipped = b.value > hi ? ' ▸' : '';
      const text = `${b.value.toFixed(2)}×${clipped}${b.tag ? ` ${b.tag}` : ''}`;
      const tx = Math.max(x0, x1) + 4;
      body.push(`<text x="${tx.toFixed(1)}" y="${by + BAR - 3}" class="v">${esc(text)}</text>`);
      by += BAR + GAP;
    }
    if (g.target) body.push(`<line x1="${sx(g.target).toFixed(1)}" x2="${sx(g.target).toFixed(1)}" y1="${y + 2}" y2="${y + h - 2}" class="target"/>`);
    y += h;
  }
  y += 26;
}
const overheadBottom = y - 20;
// The cache panel has its own axis: a speed-up (higher is better), from 0.
if (S.cache) {
  const results = S.cache.results;
  const top = Math.max(...results.flatMap(r => [1 / r.ratios['c/b'].min, 1 / r.targets['c/b'].target]));
  const max = Math.ceil(top / 5) * 5;
  const sp = v => LEFT + (Math.min(v, max) / max) * plotW;
  body.push(`<text x="16" y="${y}" class="h">${esc(`cache: findOne by primary key, a hit's speed-up over the database (higher is better; dashed: target)`)}</text>`);
  y += 26;
  for (let v = 0; v <= max; v += 5) {
    body.push(`<line x1="${sp(v).toFixed(1)}" x2="${sp(v).toFixed(1)}" y1="${y - 8}" y2="${y + results.length * (BAR + 11)}" class="grid"/>`);
    body.push(`<text x="${sp(v).toFixed(1)}" y="${y - 12}" class="t" text-anchor="middle">${v}×</text>`);
  }
  for (const r of results) {
    const value = 1 / r.ratios['c/b'].median;
    body.push(`<text x="${LEFT - 8}" y="${y + BAR - 2}" class="l" text-anchor="end">${esc(`${DB[r.db]} · memory store`)}</text>`);
    body.push(`<rect x="${LEFT}" y="${y}" width="${Math.max(1, sp(value) - LEFT).toFixed(1)}" height="${BAR}" fill="${COLORS.cache}"/>`);
    body.push(`<line x1="${sp(1 / r.ratios['c/b'].max).toFixed(1)}" x2="${sp(1 / r.ratios['c/b'].min).toFixed(1)}" y1="${y + BAR / 2}" y2="${y + BAR / 2}" class="range"/>`);
    body.push(`<text x="${(sp(value) + 4).toFixed(1)}" y="${y + BAR - 3}" class="v">${esc(`${value.toFixed(1)}×`)}</text>`);
    const target = sp(1 / r.targets['c/b'].target);
    body.push(`<line x1="${target.toFixed(1)}" x2="${target.toFixed(1)}" y1="${y - 2}" y2="${y + BAR + 2}" class="target"/>`);
    y += BAR + 11;
  }
  y += 26;
}
const H = y + 20 + LEGEND.length * 18;
const grid = [];
for (let v = Math.ceil(lo * 10) / 10; v <= hi + 1e-9; v = Math.round((v + 0.1) * 10) / 10) {
  const major = Math.abs(v - 1) < 1e-9;
  grid.push(`<line x1="${sx(v).toFixed(1)}" x2="${sx(v).toFixed(1)}" y1="52" y2="${overheadBottom}" class="${major ? 'one' : 'grid'}"/>`);
  if (Math.round(v * 10) % (hi - lo > 1.6 ? 4 : 2) === 0 || major) grid.push(`<text x="${sx(v).toFixed(1)}" y="48" class="t" text-anchor="middle">${v.toFixed(1)}×</text>`);
}
const legend = LEGEND.map(
  ([k, label], i) => `<rect x="16" y="${y + 6 + i * 18}" width="12" height="12" fill="${COLORS[k]}"/><text x="34" y="${y + 16 + i * 18}" class="l">${esc(label)}</text>`,
);
const first = Object.values(S)[0];
const subtitle = first
  ? `${first.machine.cpu}, ${first.machine.cores} cores, Node ${first.node}, MikroORM ${first.packages?.['@mikro-orm/core'] ?? ''}; ${when.at(-1)?.slice(0, 10)}. Bars start at 1.0×; whiskers: min–max of per-round ratios; dashed: target.`
  : '';
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif">
<style>
  .h { font-size: 14px; font-weight: 600; fill: #1f2328; }
  .l { font-size: 12px; fill: #1f2328; }
  .v { font-size: 11px; fill: #1f2328; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
  .t { font-size: 11px; fill: #59636e; }
  .grid { stroke: #d1d9e0; stroke-width: 1; }
  .one { stroke: #1f2328; stroke-width: 1.5; }
  .range { stroke: #57606a; stroke-width: 1; stroke-opacity: 0.7; }
  .target { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 4 3; }
</style>
<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff" rx="6"/>
<text x="16" y="22" class="h" style="font-size: 16px">mikro-orm-plugins: hook overhead, as ratios taken within one run (lower is better; 1.0× = no overhead)</text>
<text x="16" y="38" class="t">${esc(subtitle)}</text>
${grid.join('\n')}
${body.join('\n')}
${legend.join('\n')}
</svg>
`;
writeFileSync(join(resultsDir, 'overhead.svg'), svg);
// The README's figure: the headline ratios only (instructions per flushed row, dispatch), light and dark.
writeFileSync(join(resultsDir, 'overhead-compact.svg'), compactChart(latest));
console.log(`wrote ${join(resultsDir, 'summary.md')} and overhead.svg (${targets.filter(t => t.met === true).length} targets met, ${targets.filter(t => t.met === false).length} missed)`);
