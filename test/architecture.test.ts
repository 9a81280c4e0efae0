// The layout shows the architecture: no import circles in src, and the core folders (registry, chain,
// bridge) import nothing from plugins/ or operations/, apart from the known crossing listed below.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, test } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Runtime imports (type-only imports vanish when compiled) of each source file, as file paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources('src')) {
    const code = readFileSync(file, 'utf8');
    const targets = [...code.matchAll(/^(?:import|export)\s(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)]
      .map(m => normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))))
      .filter(path => existsSync(path));
    graph.set(file, targets);
  }
  return graph;
}

test('no import circles in src', () => {
  const graph = importGraph();
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  expect(cycles).toEqual([]);
});

test('registry/, chain/ and bridge/ import nothing from plugins/ or operations/ (one known crossing)', () => {
  // Known, to be removed by the plugin-API issue: the soft-delete reading layer is installed by the bridge.
  const known = ['src/bridge/plugin-entity-manager.ts -> src/plugins/soft-delete/reading-entity-manager.ts'];
  const crossings = [...importGraph()]
    .filter(([file]) => /^src\/(registry|chain|bridge)\//.test(file))
    .flatMap(([file, targets]) => targets.filter(t => /^src\/(plugins|operations)\//.test(t)).map(t => `${file} -> ${t}`));
  expect(crossings.sort()).toEqual(known.sort());
});
