// The compact chart for the README: results/latest.json → one SVG about 760 × 420, a pure function.
//
// Two panels of horizontal bars that grow from a reference line at 1.00× (left: cheaper, right: costlier):
//   - per flushed row, in instructions (scenario `instructions`): c/b and d/a for insert, update, soft-delete
//     remove, and c/b for insert with audit rows, each bar with its target (c/b ≤ 1.05, d/a ≤ 1.02);
//   - per beforeCreate dispatch, in time (scenario `dispatch`): ours ÷ a plain loop for 1, 5 and 20 sync hooks
//     (target ≤ 1.5).
// Each panel has its own scale, centred on the same 1.00× line. A panel whose scenario is missing is left out.
// The background is transparent; text, axes and bars switch colours with `prefers-color-scheme` (GitHub shows
// an SVG in an <img>, where media queries inside the SVG follow the viewer's theme). Plain SVG text, no fonts,
// no scripts.

const W = 760;
const LABEL_X = 178; // right edge of the row labels
const PLOT_L = 196;
const PLOT_R = 676; // value labels may run past it, up to the figure's edge
const MID = (PLOT_L + PLOT_R) / 2; // x of 1.00× in every panel
const HALF = (PLOT_R - PLOT_L) / 2;
const BAR = 13;
const STEP = 17; // one bar row
const GROUP_GAP = 7;
const CHAR_W = 6.3; // rough advance of an 11.5 px system-ui digit, for placing labels

const esc = t => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = v => (Math.round(v * 10) / 10).toString();
const finite = v => typeof v === 'number' && Number.isFinite(v);
const day = iso => (typeof iso === 'string' ? iso.slice(0, 10) : '?');
const shortCommit = c => (typeof c === 'string' && c ? c.split(' ')[0] : '?');

/** The smallest half-span (around 1.00) from a fixed list that holds every value and target, with some room. */
function halfSpan(values) {
  const need = Math.max(...values.filter(finite).map(v => Math.abs(v - 1))) * 1.15;
  return [0.05, 0.1, 0.2, 0.25, 0.5, 1].find(h => h >= need) ?? 1;
}

/**
 * @param {{ scenarios?: Record<string, any> }} latest  the parsed results/latest.json
 * @returns {string} the SVG document
 */
export function compactChart(latest) {
  const S = latest?.scenarios ?? {};
  const panels = [];

  const ins = S.instructions;
  if (ins?.results?.length) {
    const NAMES = { 'flush-insert': 'insert', 'flush-update': 'update', remove: 'soft-delete remove', 'audit-insert': 'insert with audit' };
    const groups = ins.results.map(r => ({
      label: NAMES[r.workload] ?? r.workload,
      bars: [
        { series: 'cb', value: r.ratios?.['c/b'], target: 1.05, digits: 3, missing: 'c/b not measured' },
        { series: 'da', value: r.ratios?.['d/a'], target: 1.02, digits: 3, missing: 'd/a not measured' },
      ],
    }));
    const rows = (ins.settings?.rows ?? 0).toLocaleString('en');
    panels.push({ title: `Per flushed row, in instructions (callgrind; SQLite in memory, ${rows} rows in one flush)`, groups });
  }

  const disp = S.dispatch;
  const sync = (disp?.results ?? []).filter(r => r.scenario === 'sync' && [1, 5, 20].includes(r.n));
  if (sync.length) {
    const groups = sync.map(r => ({
      label: `${r.n} sync hook${r.n === 1 ? '' : 's'}`,
      bars: [{ series: 'dp', value: r.ratiosVsPlain?.dispatch?.median, target: disp.targets?.syncRatio ?? 1.5, digits: 2, missing: 'not measured' }],
    }));
    panels.push({ title: `Per beforeCreate dispatch, in time (mitata, median of ${disp.rounds ?? '?'} rounds): ours ÷ a plain loop`, groups });
  }

  // ---------------------------------------------------------------------------------------- layout
  const out = [];
  let y = 24;
  out.push(`<text x="16" y="${y}" class="title">Overhead of mikro-orm-plugins, as cost ratios (lower is better; 1.00× = same cost)</text>`);
  y += 22;
  const legend = [
    ['cb', 'our plugins ÷ hand-written MikroORM hooks (c/b)'],
    ['da', 'installed, no plugin ÷ bare MikroORM (d/a)'],
    ['dp', 'our dispatch ÷ plain loop'],
  ].filter(([series]) => panels.some(p => p.groups.some(g => g.bars.some(b => b.series === series))));
  const targets = [
    ['cb', 'c/b ≤ 1.05×'],
    ['da', 'd/a ≤ 1.02×'],
    ['dp', `dispatch ≤ ${f1(disp?.targets?.syncRatio ?? 1.5)}×`],
  ].filter(([series]) => legend.some(([s]) => s === series));
  const items = [...legend.map(([series, text]) => ({ series, text })), { series: null, text: `target (${targets.map(t => t[1]).join(', ')})` }];
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
    const h = halfSpan(values);
    const sx = v => MID + ((Math.min(Math.max(v, 1 - h), 1 + h) - 1) / h) * HALF;
    y += 22;
    out.push(`<text x="16" y="${y}" class="head">${esc(panel.title)}</text>`);
    y += 18;
    // Ticks: five, at 1 − h, 1 − h/2, 1, 1 + h/2, 1 + h.
    const rowsH = panel.groups.reduce((sum, g) => sum + g.bars.length * STEP, 0) + (panel.groups.length - 1) * GROUP_GAP;
    const top = y + 5;
    const bottom = top + rowsH + 4;
    for (let i = -2; i <= 2; i++) {
      const v = 1 + (i * h) / 2;
      const x = sx(v).toFixed(1);
      const digits = h < 0.1 ? 3 : h < 0.5 ? 2 : 1;
      out.push(`<text x="${x}" y="${y}" class="tick" text-anchor="middle">${v.toFixed(digits)}×</text>`);
      if (i !== 0) out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" class="grid"/>`);
    }
    let by = top + 2;
    panel.groups.forEach((g, gi) => {
      if (gi > 0) by += GROUP_GAP;
      const gh = g.bars.length * STEP;
      out.push(`<text x="${LABEL_X}" y="${(by + gh / 2 + 4).toFixed(1)}" class="label" text-anchor="end">${esc(g.label)}</text>`);
      for (const b of g.bars) {
        const cy = by + (STEP - BAR) / 2;
        if (!finite(b.value)) {
          out.push(`<text x="${MID + 6}" y="${cy + BAR - 2.5}" class="note">${esc(b.missing)}</text>`);
          by += STEP;
          continue;
        }
        const x0 = MID;
        const x1 = sx(b.value);
        out.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${cy}" width="${Math.max(1.5, Math.abs(x1 - x0)).toFixed(1)}" height="${BAR}" class="bar-${b.series}"/>`);
        const tx = sx(b.target);
        out.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${cy - 3}" y2="${cy + BAR + 3}" class="target"/>`);
        const clipped = b.value > 1 + h ? ' ▸' : b.value < 1 - h ? ' ◂' : '';
        const text = `${b.value.toFixed(b.digits)}×${clipped}`;
        const width = text.length * CHAR_W;
        if (b.value >= 1) {
          // Right of the bar; past the target mark when the two would overlap.
          let lx2 = x1 + 4;
          if (tx >= x1 - 3 && tx <= lx2 + width + 2) lx2 = Math.max(lx2, tx + 5);
          out.push(`<text x="${lx2.toFixed(1)}" y="${cy + BAR - 2.5}" class="value">${esc(text)}</text>`);
        } else {
          out.push(`<text x="${(x1 - 4).toFixed(1)}" y="${cy + BAR - 2.5}" class="value" text-anchor="end">${esc(text)}</text>`);
        }
        by += STEP;
      }
    });
    y = bottom;
    // The 1.00× line, one per panel (the panels' scales differ, so it is not drawn through the headings).
    out.push(`<line x1="${MID}" x2="${MID}" y1="${top - 2}" y2="${bottom}" class="ref"/>`);
  }
  if (panels.length === 0) {
    y += 30;
    out.push(`<text x="16" y="${y}" class="head">No instruction counts or dispatch results in latest.json.</text>`);
  }

  // Footnote: where the numbers come from.
  y += 22;
  const notes = [];
  if (ins) notes.push(`instructions ${day(ins.date)}, commit ${shortCommit(ins.commit)} (callgrind, node --predictable)`);
  if (disp) notes.push(`dispatch ${day(disp.date)}, commit ${shortCommit(disp.commit)}${disp.smoke ? ' (smoke run: measures nothing)' : ''}`);
  const node = ins?.node ?? disp?.node;
  const mikro = ins?.packages?.['@mikro-orm/core'] ?? disp?.packages?.['@mikro-orm/core'];
  out.push(`<text x="16" y="${y}" class="foot">${esc(`Data: ${notes.join('; ') || 'none'}.`)}</text>`);
  y += 15;
  out.push(`<text x="16" y="${y}" class="foot">${esc(`Node ${node ?? '?'}, MikroORM ${mikro ?? '?'}. Every scenario, with timings and their ranges: benchmarks/results/summary.md.`)}</text>`);
  const H = Math.ceil(y + 12);

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" role="img" aria-label="Overhead ratios of mikro-orm-plugins: instruction counts per flushed row and dispatch time">
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
  .bar-cb { fill: #0969da; }
  .bar-da { fill: #1a7f37; }
  .bar-dp { fill: #8250df; }
  @media (prefers-color-scheme: dark) {
    .title, .head, .label, .legend, .value { fill: #f0f6fc; }
    .tick, .note, .foot { fill: #9198a1; }
    .grid { stroke: #3d444d; }
    .ref { stroke: #f0f6fc; }
    .target { stroke: #ff7b72; }
    .bar-cb { fill: #4493f8; }
    .bar-da { fill: #3fb950; }
    .bar-dp { fill: #ab7df8; }
  }
</style>
${out.join('\n')}
</svg>
`;
}
