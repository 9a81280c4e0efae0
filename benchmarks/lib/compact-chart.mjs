// The compact chart for the README: results/latest.json → one SVG about 760 px wide, a pure function.
//
// The headline ratios of the performance issue (#14), from lib/headline-targets.mjs, as horizontal bars that
// grow from a 1.00× line (left: cheaper, right: costlier), each with its target:
//   - our plugins ÷ bare MikroORM (c/a) per row, in instructions: flush insert and update (timestamp +
//     validation, ≤ 1.15), soft-delete remove (≤ 1.3), audit insert, update, remove (≤ 2.0); beside them the
//     same work by hand with no hooks (f/a, the floor) and the same hooks hand-written in MikroORM (b/a), where
//     they come from the same run as a;
//   - installed, nothing attached ÷ bare (d/a ≤ 1.01), in instructions;
//   - peers, timed: each ORM's with-hooks ÷ without-hooks (target: ours lowest).
// A panel whose scenario is missing is left out; a bar without a figure says "not measured".
// The background is transparent; text, axes and bars switch colours with `prefers-color-scheme` (GitHub shows
// an SVG in an <img>, where media queries inside the SVG follow the viewer's theme). Plain SVG text, no fonts,
// no scripts.
import { headlineTargets } from './headline-targets.mjs';

const W = 760;
const LABEL_X = 178; // right edge of the row labels
const PLOT_L = 196;
const PLOT_R = 676; // value labels may run past it, up to the figure's edge
const BAR = 13;
const STEP = 17; // one bar row
const GROUP_GAP = 7;
const CHAR_W = 6.3; // rough advance of an 11.5 px system-ui digit, for placing labels

const esc = t => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const finite = v => typeof v === 'number' && Number.isFinite(v);
const day = iso => (typeof iso === 'string' ? iso.slice(0, 10) : '?');
const shortCommit = c => (typeof c === 'string' && c ? c.split(' ')[0] : '?');

/** The smallest half-span (around 1.00) from a fixed list that holds every value and target, with some room. */
function halfSpan(values) {
  const need = Math.max(...values.filter(finite).map(v => Math.abs(v - 1))) * 1.15;
  return [0.05, 0.1, 0.2, 0.25, 0.5, 1].find(h => h >= need) ?? 1;
}

/** A linear range [lo, hi] and its tick step: it holds 1.00, every value and target, ends on ticks. */
function span(values) {
  const v = values.filter(finite);
  const max = Math.max(1, ...v);
  const min = Math.min(1, ...v);
  if (max - min <= 0.2) {
    const h = halfSpan(v);
    return [1 - h, 1 + h, h / 2];
  }
  const step = [0.1, 0.2, 0.25, 0.5, 1, 2].find(st => (max * 1.06 - min) / st <= 6) ?? 2;
  // Whole-number steps count from 1.00× (the baseline), not from 0.
  const lo = step >= 1 ? Math.floor(min) : Math.floor(min / step) * step;
  return [lo, lo + Math.ceil((max * 1.06 - lo) / step) * step, step];
}

/**
 * @param {{ scenarios?: Record<string, any> }} latest  the parsed results/latest.json
 * @returns {string} the SVG document
 */
export function compactChart(latest) {
  const S = latest?.scenarios ?? {};
  const panels = [];
  const rows = headlineTargets(S).rows.filter(r => r.bar);
  const ins = S.instructions;
  // Hand-written MikroORM hooks ÷ bare (b/a), where b and a come from one instruction run.
  const handWritten = { insert: 'flush-insert', update: 'flush-update', 'soft-delete remove': 'remove', 'audit insert': 'audit-insert', 'audit update': 'audit-update', 'audit remove': 'audit-remove' };

  const ca = rows.filter(r => r.bar.series === 'ca');
  if (ca.length) {
    const groups = ca.map(r => {
      const bars = [{ series: 'ca', value: r.bar.value, target: r.bar.target, digits: 2, missing: 'c/a not measured' }];
      const w = handWritten[r.bar.label];
      const ratios = w && S[r.bar.source ?? 'instructions']?.results?.find(q => q.workload === w)?.ratios;
      const ba = ratios?.['b/a'];
      // The floor (f/a), where the run measured it: the same work by hand, no hooks.
      if (finite(ratios?.['f/a'])) bars.push({ series: 'fa', value: ratios['f/a'], digits: 2 });
      bars.push({ series: 'ba', value: finite(ba) ? ba : null, digits: 2, missing: 'hand-written: not measured in this run' });
      return { label: r.bar.label, bars };
    });
    panels.push({ title: 'Timestamp + validation, soft-delete remove, audit: ÷ bare MikroORM, in instructions per row', groups });
  }
  const da = rows.filter(r => r.bar.series === 'da');
  if (da.length) {
    const groups = da.map(r => ({ label: r.bar.label, bars: [{ series: 'da', value: r.bar.value, target: r.bar.target, digits: 3, missing: 'd/a not measured' }] }));
    panels.push({ title: 'Installed, nothing attached ÷ bare MikroORM (d/a), in instructions per row', groups, centred: true });
  }

  // Peers: each ORM's with-hooks ÷ without-hooks, timed (no instruction counts for other ORMs).
  const peers = S.peers;
  if (peers?.results?.length) {
    const groups = [];
    for (const db of ['postgresql', 'sqlite-memory']) {
      for (const w of ['insert', 'update']) {
        const rs = peers.results.filter(r => r.db === db && r.workload === w);
        const mikro = rs.find(r => r.orm === 'MikroORM');
        if (!mikro) continue;
        const bars = [
          { series: 'ca', value: mikro.ratiosToWithoutHooks.ours?.median, digits: 2, tag: 'ours', missing: 'ours not measured' },
          { series: 'ba', value: mikro.ratiosToWithoutHooks.hooked?.median, digits: 2, tag: 'MikroORM hand-written', missing: 'not measured' },
          ...rs.filter(r => r.orm !== 'MikroORM').map(r => ({ series: 'peer', value: r.ratiosToWithoutHooks.hooked?.median, digits: 2, tag: r.orm, missing: 'not measured' })),
        ];
        groups.push({ label: `${db === 'postgresql' ? 'PostgreSQL' : 'SQLite'} ${w}`, bars });
      }
    }
    panels.push({ title: `Peers: with hooks ÷ without, timed (${peers.settings.rows.toLocaleString('en')} rows, ${day(peers.date)}${day(peers.date) < '2026-12-07' ? ', before batch hooks' : ''}; target: ours lowest)`, groups });
  }

  // ---------------------------------------------------------------------------------------- layout
  const out = [];
  let y = 24;
  out.push(`<text x="16" y="${y}" class="title">Overhead of mikro-orm-plugins, as cost ratios (lower is better; 1.00× = same cost)</text>`);
  y += 22;
  const legend = [
    ['ca', 'our plugins (c/a; peers: with ÷ without)'],
    ['fa', 'the same work by hand, no hooks (f/a)'],
    ['ba', 'the same hooks hand-written in MikroORM (b/a)'],
    ['da', 'installed, no plugin (d/a)'],
    ['peer', 'Sequelize / TypeORM hooks'],
  ].filter(([series]) => panels.some(p => p.groups.some(g => g.bars.some(b => b.series === series))));
  const items = [...legend.map(([series, text]) => ({ series, text })), { series: null, text: 'target' }];
  let lx = 16;
  for (const { series, text } of items) {
    const w = 17 + text.length * 6.6; // wide enough for DejaVu Sans, the widest likely fallback
    if (lx > 16 && lx + w > W - 16) {
      lx = 16;
      y += 18;
    }
    if (series) out.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" rx="2" class="bar-${series}"/>`);
    else out.push(`<line x1="${lx + 6}" x2="${lx + 6}" y1="${y - 12}" y2="${y + 3}" class="target"/>`);
    out.push(`<text x="${lx + 17}" y="${y}" class="legend">${esc(text)}</text>`);
    lx += w + 18;
  }
  y += 14;

  for (const panel of panels) {
    const values = panel.groups.flatMap(g => g.bars.flatMap(b => [b.value, b.target]));
    const [lo, hi, step] = span(values);
    const sx = v => PLOT_L + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (PLOT_R - PLOT_L);
    const x1 = sx(1);
    y += 22;
    out.push(`<text x="16" y="${y}" class="head">${esc(panel.title)}</text>`);
    y += 18;
    // Ticks: five, at 1 − h, 1 − h/2, 1, 1 + h/2, 1 + h.
    const rowsH = panel.groups.reduce((sum, g) => sum + g.bars.length * STEP, 0) + (panel.groups.length - 1) * GROUP_GAP;
    const top = y + 5;
    const bottom = top + rowsH + 4;
    for (let i = 0; lo + i * step <= hi + 1e-9; i++) {
      const v = lo + i * step;
      const x = sx(v).toFixed(1);
      const digits = [1, 2, 3].find(d => Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) < 1e-9) ?? 3;
      out.push(`<text x="${x}" y="${y}" class="tick" text-anchor="middle">${v.toFixed(digits)}×</text>`);
      if (Math.abs(v - 1) > 1e-9) out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" class="grid"/>`);
    }
    let by = top + 2;
    panel.groups.forEach((g, gi) => {
      if (gi > 0) by += GROUP_GAP;
      const gh = g.bars.length * STEP;
      out.push(`<text x="${LABEL_X}" y="${(by + gh / 2 + 4).toFixed(1)}" class="label" text-anchor="end">${esc(g.label)}</text>`);
      for (const b of g.bars) {
        const cy = by + (STEP - BAR) / 2;
        if (!finite(b.value)) {
          out.push(`<text x="${x1 + 6}" y="${cy + BAR - 2.5}" class="note">${esc(b.missing)}</text>`);
          by += STEP;
          continue;
        }
        const x0 = x1;
        const xv = sx(b.value);
        out.push(`<rect x="${Math.min(x0, xv).toFixed(1)}" y="${cy}" width="${Math.max(1.5, Math.abs(xv - x0)).toFixed(1)}" height="${BAR}" class="bar-${b.series}"/>`);
        const tx = finite(b.target) ? sx(b.target) : -1;
        if (tx >= 0) out.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${cy - 3}" y2="${cy + BAR + 3}" class="target"/>`);
        const clipped = b.value > hi ? ' ▸' : b.value < lo ? ' ◂' : '';
        const text = `${b.value.toFixed(b.digits)}×${clipped}${b.tag ? ` ${b.tag}` : ''}`;
        const width = text.length * CHAR_W;
        if (b.value >= 1) {
          // Right of the bar; past the target mark when the two would overlap.
          let lx2 = xv + 4;
          if (tx >= xv - 3 && tx <= lx2 + width + 2) lx2 = Math.max(lx2, tx + 5);
          out.push(`<text x="${lx2.toFixed(1)}" y="${cy + BAR - 2.5}" class="value">${esc(text)}</text>`);
        } else {
          out.push(`<text x="${(xv - 4).toFixed(1)}" y="${cy + BAR - 2.5}" class="value" text-anchor="end">${esc(text)}</text>`);
        }
        by += STEP;
      }
    });
    y = bottom;
    // The 1.00× line, one per panel (the panels' scales differ, so it is not drawn through the headings).
    out.push(`<line x1="${x1.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${top - 2}" y2="${bottom}" class="ref"/>`);
  }
  if (panels.length === 0) {
    y += 30;
    out.push(`<text x="16" y="${y}" class="head">No instruction counts or peer results in latest.json.</text>`);
  }

  // Footnote: where the numbers come from.
  y += 22;
  const notes = [];
  if (ins) {
    if (ins.remeasured) {
      notes.push(`instructions: callgrind, node --predictable, SQLite in memory; insert and update: a, b, c of one run`);
      notes.push(`remove and audit: c from ${ins.remeasured.branch}, ${day(ins.remeasured.date)}, before batch hooks (audit insert, update: a of an earlier run); b/a from ${day(ins.date)}`);
    } else {
      notes.push(`instructions: callgrind, node --predictable, SQLite in memory; a, b, c, d of one run, ${day(ins.date)} (${shortCommit(ins.commit)}), ${ins.settings.rows.toLocaleString('en')} rows`);
      const ten = S['instructions-10k'];
      if (ten) notes.push(`insert and update: 10,000 rows, a, b, c of one run, ${day(ten.date)} (${shortCommit(ten.commit)})`);
    }
  }
  const idle = S['instructions-idle'];
  if (idle) notes.push(`d/a: findOne, find, flush insert ${day(idle.date)} (${shortCommit(idle.commit)}); flush update, remove ${day(ins?.date)}${ins?.remeasured ? ' (update: d, a of different runs)' : ''}`);
  const node = ins?.node ?? idle?.node ?? peers?.node;
  const mikro = ins?.packages?.['@mikro-orm/core'] ?? peers?.packages?.['@mikro-orm/core'];
  for (const note of notes.length ? notes : ['none']) {
    out.push(`<text x="16" y="${y}" class="foot">${esc(`Data: ${note}.`)}</text>`);
    y += 15;
  }
  out.push(`<text x="16" y="${y}" class="foot">${esc(`Node ${node ?? '?'}, MikroORM ${mikro ?? '?'}. Every scenario, with timings and their ranges: benchmarks/results/summary.md.`)}</text>`);
  const H = Math.ceil(y + 12);

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" role="img" aria-label="Overhead ratios of mikro-orm-plugins against bare MikroORM, in instructions per row, and against peer ORMs">
<title>Overhead of mikro-orm-plugins, as cost ratios (lower is better)</title>
<style>
  .title { font-size: 15px; font-weight: 600; fill: #1f2328; }
  .head { font-size: 12.5px; font-weight: 600; fill: #1f2328; }
  .label { font-size: 12px; fill: #1f2328; }
  .legend { font-size: 11.5px; fill: #1f2328; }
  .value { font-size: 11.5px; fill: #1f2328; font-variant-numeric: tabular-nums; }
  .tick { font-size: 10.5px; fill: #59636e; }
  .note { font-size: 11px; font-style: italic; fill: #59636e; }
  .foot { font-size: 10.5px; fill: #59636e; }
  .grid { stroke: #d1d9e0; stroke-width: 1; }
  .ref { stroke: #1f2328; stroke-width: 1.5; }
  .target { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 3 2; }
  .bar-ca { fill: #0969da; }
  .bar-ba { fill: #8c959f; }
  .bar-fa { fill: #8250df; }
  .bar-peer { fill: #bc4c00; }
  .bar-da { fill: #1a7f37; }
  @media (prefers-color-scheme: dark) {
    .title, .head, .label, .legend, .value { fill: #f0f6fc; }
    .tick, .note, .foot { fill: #9198a1; }
    .grid { stroke: #3d444d; }
    .ref { stroke: #f0f6fc; }
    .target { stroke: #ff7b72; }
    .bar-ca { fill: #4493f8; }
    .bar-ba { fill: #9198a1; }
    .bar-fa { fill: #ab7df8; }
    .bar-peer { fill: #f0883e; }
    .bar-da { fill: #3fb950; }
  }
</style>
${out.join('\n')}
</svg>
`;
}
