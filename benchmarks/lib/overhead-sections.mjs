// The groups of bars of results/overhead.svg, one section per scenario: each bar a ratio drawn from 1.0.
import { DB, MODE } from './report-labels.mjs';

/** Sections of bars from latest.json's scenarios. */
export function overheadSections(S) {
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
  flushBars('flush-insert', `flush-insert (${(S['flush-insert']?.settings.rows ?? 0).toLocaleString('en')} rows; c/b: the earlier target ≤ 1.05)`);
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

  return { sections, COLORS, LEGEND };
}
