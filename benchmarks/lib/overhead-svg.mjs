// Draws results/overhead.svg. Plain SVG, no library: an explicit white background and dark text, so it reads
// the same in GitHub's light and dark modes.
import { DB } from './report-labels.mjs';
import { overheadSections } from './overhead-sections.mjs';

/** The whole chart for latest.json's scenarios; `when` the sorted dates of the runs. */
export function overheadSvg(S, when) {
  const { sections, COLORS, LEGEND } = overheadSections(S);
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
  return svg;
}
