// `npm run build`: dist/ as published. tsc compiles src/ (its JavaScript to a staging folder, its declarations
// straight into dist/, so every .d.ts keeps its path), then rollup bundles the JavaScript: one file per entry point,
// and the modules two entries share in dist/chunks/, each module in exactly one file (so an application importing
// `mikro-orm-plugins` and `mikro-orm-plugins/audit` gets one registry and one copy of every class).
// Loading a few files instead of ~110 is most of what importing the package costs (benchmarks/import-cost.bench.mjs):
// every module the main entry (`.`) shares with others goes in one chunk, so `import 'mikro-orm-plugins'` reads two
// files, and the JavaScript ships without comments (V8 scans every byte of a module it compiles; the declarations
// keep theirs).
//
// The entry points are read from package.json: every "exports" target and every "bin". Adding an entry point
// is adding its line there. Dependencies, peer dependencies and Node built-ins stay imports (never bundled).
//
//   node tools/build.mjs [--out=DIR]
//     --out=DIR   write the bundles and declarations to DIR instead of dist/ (tests build privately)
// Exits non-zero when tsc reports errors, after bundling what it emitted (tsc emits despite type errors).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const outArg = process.argv.find(a => a.startsWith('--out='))?.slice('--out='.length);
const out = resolve(root, outArg ?? 'dist');
const inside = (dir, parent) => {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};
// Step 3 deletes stale .js and .d.ts files in the output: never let it point at the repository or the sources.
if (inside(root, out) || inside(out, join(root, 'src'))) throw new Error(`build: --out=${outArg} would overwrite the repository`);
// The default build stages in .tmp/build/modules, where benchmarks that time internal modules find them;
// a private build (--out) stages in a folder of its own, removed afterwards.
mkdirSync(join(root, '.tmp'), { recursive: true });
const modules = outArg === undefined ? join(root, '.tmp/build/modules') : mkdtempSync(join(root, '.tmp', 'build-'));

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** `./dist/operations/index.js` → `operations/index` */
const entryName = target => target.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
const targets = [
  ...Object.values(manifest.exports).flatMap(t => (typeof t === 'string' ? [t] : [t.default ?? t.import])),
  ...Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : manifest.bin ?? {}),
].filter(t => typeof t === 'string' && t.startsWith('./dist/') && t.endsWith('.js'));
// Not public, but kept a file of its own under a stable name: the CLI's body, which the bin imports once it has
// checked the Node version, and which tests run in-process against the build (test/ops-cli.test.ts).
const INTERNAL_ENTRIES = ['cli/run'];
const entries = [...new Set([...targets.map(entryName), ...INTERNAL_ENTRIES])];

/** Compiles, bundles and tidies; returns rollup's output and tsc's exit status. */
async function build() {
  // 1. tsc: JavaScript to the staging folder, declarations to the output.
  rmSync(modules, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', modules, '--declarationDir', out], { cwd: root, stdio: 'inherit' });
  const missing = entries.filter(e => !existsSync(join(modules, `${e}.js`)));
  if (missing.length > 0) throw new Error(`build: tsc emitted no ${missing.map(e => `${e}.js`).join(', ')} (exit ${compiled.status})`);

  // 2. rollup: one file per entry, shared modules in chunks/. Only relative imports are ours.
  const bundle = await rollup({
    input: Object.fromEntries(entries.map(e => [e, join(modules, `${e}.js`)])),
    external: id => !id.startsWith('.') && !isAbsolute(id),
    // Every export of an entry is public API, kept even where this package does not use it.
    preserveEntrySignatures: 'strict',
    plugins: [withoutComments()],
    onwarn(warning) {
      // tsc's decorator helpers read a top-level `this` (`this && this.__esDecorate`): undefined in a module either way.
      if (warning.code === 'THIS_IS_UNDEFINED') return;
      // Anything else (a cycle: src/ has none, and one would change evaluation order) stops the build.
      throw new Error(`build: ${warning.code}: ${warning.message}`);
    },
  });
  const { output } = await bundle.write({
    dir: out,
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name].js',
    generatedCode: 'es2015',
    manualChunks: mainEntryChunk(join(modules, 'index.js')),
  });
  await bundle.close();

  // 3. Remove what an earlier build left: JavaScript this build did not write, declarations of deleted sources.
  const written = new Set(output.map(o => join(out, o.fileName)));
  const walk = dir => readdirSync(dir, { withFileTypes: true }).flatMap(d => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
  for (const file of walk(out)) {
    const rel = relative(out, file).split(sep).join('/');
    const stale = /\.(js|js\.map)$/.test(rel) ? !written.has(file) : /\.d\.ts(\.map)?$/.test(rel) && !existsSync(join(root, 'src', rel.replace(/\.d\.ts(\.map)?$/, '.ts')));
    if (stale) unlinkSync(file);
  }
  return { output, status: compiled.status };
}

/**
 * `manualChunks`: the modules the main entry imports (directly or not) and that are not entries themselves go in
 * one chunk, `chunks/main`; the rest is rollup's own split. Each module is still in exactly one file.
 */
function mainEntryChunk(mainEntry) {
  let reachable;
  return (id, { getModuleInfo }) => {
    if (!reachable) {
      reachable = new Set();
      const visit = moduleId => {
        if (reachable.has(moduleId)) return;
        reachable.add(moduleId);
        for (const imported of getModuleInfo(moduleId)?.importedIds ?? []) visit(imported);
      };
      visit(mainEntry);
    }
    return reachable.has(id) && !getModuleInfo(id)?.isEntry ? 'main' : undefined;
  };
}

/** A rollup plugin: each output chunk printed again by TypeScript without its comments (a bin keeps its `#!` line). */
function withoutComments() {
  const printer = ts.createPrinter({ removeComments: true });
  return {
    name: 'without-comments',
    renderChunk(code, chunk) {
      const source = ts.createSourceFile(chunk.fileName, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
      return { code: printer.printFile(source), map: null };
    },
  };
}

let result;
try {
  result = await build();
} finally {
  if (outArg !== undefined) rmSync(modules, { recursive: true, force: true });
}
const { output, status } = result;
const chunks = output.filter(o => o.type === 'chunk');
console.log(`build: ${entries.length} entry points, ${chunks.length - entries.length} shared chunk(s) → ${relative(root, out) || '.'}/`);
if (status !== 0) {
  console.error(`build: tsc exited ${status} (type errors above); the bundles hold what it emitted`);
  process.exit(status ?? 1);
}
