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

test('the core (registry/, chain/, bridge/, config/, columns/, context/, core.ts) imports nothing from plugins/ or operations/', () => {
  const known: string[] = [];
  const crossings = [...importGraph()]
    .filter(([file]) => /^src\/(registry|chain|bridge|config|columns|context)\//.test(file) || file === 'src/core.ts')
    .flatMap(([file, targets]) => targets.filter(t => /^src\/(plugins|operations)\//.test(t)).map(t => `${file} -> ${t}`));
  expect(crossings.sort()).toEqual(known.sort());
});

/** Every import and re-export of a file, type-only ones included, as file paths (relative ones only). */
function allImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm)].map(m =>
    normalize(join(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'))),
  );
}

const ENTRY_POINTS = ['src/core.ts', 'src/operations/index.ts'];

/** A plugin file's imports that are neither a public entry point nor a file of its own plugin (a folder, or a single file). */
function pastTheEntryPoints(file: string, targets: readonly string[]): string[] {
  const folder = file.split('/').length > 3 ? file.split('/').slice(0, 3).join('/') + '/' : undefined;
  return targets.filter(target => !ENTRY_POINTS.includes(target) && !(folder ? target.startsWith(folder) : target === file));
}

test('built-in plugins import only the public entry points (core, operations) and files of their own plugin', () => {
  // src/plugins/index.ts only gathers the plugins for the package index.
  const files = sources('src/plugins').filter(file => file !== 'src/plugins/index.ts');
  expect(files.length).toBeGreaterThan(40);
  expect(files.flatMap(file => pastTheEntryPoints(file, allImports(file)).map(target => `${file} -> ${target}`))).toEqual([]);
});

test('the boundary check catches a plugin reaching past the entry points', () => {
  expect(pastTheEntryPoints('src/plugins/cache/plugin.ts', ['src/bridge/runtimes.ts', 'src/core.ts', 'src/plugins/cache/store.ts'])).toEqual(['src/bridge/runtimes.ts']);
  expect(pastTheEntryPoints('src/plugins/timestamp.ts', ['src/plugins/soft-delete/options.ts', 'src/operations/index.ts'])).toEqual(['src/plugins/soft-delete/options.ts']);
  expect(allImports('src/plugins/soft-delete/plugin.ts')).toContain('src/core.ts');
});

test('the testing entry imports only the public entries (core, index, audit), its own files, MikroORM and Node: no test framework', () => {
  const files = ['src/testing.ts', ...sources('src/testing')];
  expect(files.length).toBeGreaterThan(5);
  const relative = files.flatMap(file =>
    allImports(file)
      .filter(target => !['src/core.ts', 'src/index.ts', 'src/audit.ts'].includes(target) && !target.startsWith('src/testing/'))
      .map(target => `${file} -> ${target}`),
  );
  const packages = files.flatMap(file =>
    [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^.'][^']*)'|import\(\s*'([^.'][^']*)'\s*\)/gm)]
      .map(m => (m[1] ?? m[2])!)
      .filter(name => !['@mikro-orm/core', '@mikro-orm/sqlite'].includes(name) && !name.startsWith('node:'))
      .map(name => `${file} -> ${name}`),
  );
  expect([...relative, ...packages]).toEqual([]);
});

test('the console is an ordinary consumer: it imports only the public entry points and files of its own', () => {
  // The plugins' index files are their public entries without the default-registry side effect of src/audit.ts and src/cache.ts.
  const allowed = ['src/core.ts', 'src/operations/index.ts', 'src/plugins/audit/index.ts', 'src/plugins/soft-delete/index.ts', 'src/plugins/cache/index.ts'];
  const files = sources('src/console');
  expect(files.length).toBeGreaterThan(10);
  const reaching = files.flatMap(file => allImports(file).filter(t => !t.startsWith('src/console/') && !allowed.includes(t)).map(t => `${file} -> ${t}`));
  expect(reaching).toEqual([]);
  expect(allImports('src/console.ts').every(t => t.startsWith('src/console/'))).toBe(true);
});
