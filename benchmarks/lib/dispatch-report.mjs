// The markdown of the dispatch benchmark (results/dispatch.md), and the statistics it rounds with.

export const round = x => (x === undefined || x === null ? null : Math.round(x * 1000) / 1000);

export const median = xs => {
  const sorted = xs.filter(x => x !== undefined && x !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The report's lines, from the JSON the benchmark writes. */
export function dispatchMarkdown(json) {
  const { machine } = json;
  const fmt = x => (x === null || x === undefined ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
  const fmtRatio = x => (x === null || x === undefined ? '—' : `${x.toFixed(2)}×`);
  const md = [];
  md.push('# Hook dispatch overhead');
  md.push('');
  md.push(
    `Measured ${json.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores, ~${machine.clockGHz} GHz per mitata), ` +
      `Node ${json.node}, @mikro-orm/core ${json.packages['@mikro-orm/core']}, mitata ${json.packages.mitata}` +
      `, load average ${machine.loadAverage1m.before} → ${machine.loadAverage1m.after}` +
      (json.commit ? `, commit ${json.commit}` : '') +
      `. Median ns per dispatch (median of ${json.rounds} interleaved round${json.rounds === 1 ? '' : 's'}); ratios taken per round, in one run. ` +
      'Regenerate with `npm run bench -- dispatch`.',
  );
  md.push('');
  md.push('| scenario | N | ours ns | plain loop ns | EventManager ns | ours/plain | target | met? |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of json.results) {
    const ours = r.n === 0 ? r.figures.subscriber : r.figures.dispatch;
    const ourRatio = r.n === 0 ? r.ratiosVsPlain.subscriber.median : r.ratiosVsPlain.dispatch.median;
    md.push(
      `| ${r.scenario} | ${r.n} | ${fmt(ours.medianNs)} | ${fmt(r.figures.plain.medianNs)} | ${fmt(r.figures.eventManager.medianNs)} | ${fmtRatio(ourRatio)} | ${r.target ?? '—'} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`,
    );
  }
  md.push('');
  md.push('- **ours**: `dispatch(chain, ctx, entity)` on a chain compiled by the real runtime (`buildEntityChains`), one `DispatchContext` reused.');
  md.push('  For N = 0 ("no hooks") it is the whole `PluginSubscriber.beforeCreate(args)` call on an entity whose `beforeCreate` chain is `null`.');
  md.push('- **plain loop**: `for (…) fns[i](entity, ctx)` over the same hook methods (async: `for (…) await fns[i](entity, ctx)`).');
  md.push('- **EventManager**: MikroORM 7 `EventManager.dispatchEvent` with N subscribers; it is always async, so every row includes one promise at least.');
  md.push('');
  md.push('Other variants (median ns; ratio to the plain loop). The last two are diagnostics: the plain loop over the');
  md.push('links\' hook functions, and a shared loop over `chain.links` calling each with its plugin instance, as the generic');
  md.push('(uncompiled) path does: the gap between it and `dispatch()` is what compiling each chain to straight-line code buys.');
  md.push('');
  md.push('| scenario | N | dispatch() + new DispatchContext | PluginSubscriber.beforeCreate | plain loop over link.fn | shared loop over chain.links |');
  md.push('|---|---|---|---|---|---|');
  for (const r of json.results) {
    const cell = key => (r.figures[key] ? `${fmt(r.figures[key].medianNs)} (${fmtRatio(r.ratiosVsPlain[key].median)})` : '—');
    md.push(`| ${r.scenario} | ${r.n} | ${cell('dispatchNewCtx')} | ${cell('subscriber')} | ${cell('plainBound')} | ${cell('linksLoop')} |`);
  }
  md.push('');
  md.push('Floor (median ns): ' + Object.values(json.floor).map(f => `${f.label}: ${fmt(f.medianNs)}`).join('; ') + '.');
  md.push('');
  return md;
}
