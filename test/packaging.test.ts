// The package as users get it: build, `npm pack`, install the tarball into a throwaway application
// outside this repository, and run that application with Node 22. Three consumers share one install:
//   app.cjs        CommonJS, `require('mikro-orm-plugins')` (works through Node's require(esm))
//   app.mjs        ES module, `import ... from 'mikro-orm-plugins'`
//   typed-app.cts  CommonJS TypeScript, type-checked against the packed .d.ts files
//                  (module nodenext, and classic module commonjs), then compiled and run
//   entries.mjs    every entry point, imported and required: one copy of the code they share
// Each writes a row on in-memory SQLite through the timestamp plugin and prints it as JSON.
// The fixtures are in test/packaging/. Set KEEP_PACKAGING_TMP=1 to keep the temporary folder.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const fixtures = join(root, 'test/packaging');
const bin = join(root, 'node_modules/.bin');
// The project's Node 22 (the `node` devDependency), not whatever `node` the machine has.
const node = existsSync(join(bin, 'node')) ? join(bin, 'node') : process.execPath;
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};
const typesNodeVersion = (JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;

// `npm test` puts npm_* variables in the environment (npm_config_local_prefix is this repository):
// an npm started with them would install into the repository. Keep only registry, cache and proxy settings.
const keep = /^npm_config_(registry|cache|userconfig|cafile|ca|strict_ssl|https?_proxy|proxy|noproxy|@[^:]+:registry)$/i;
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.test(key)));
env.PATH = `${bin}:${env.PATH ?? ''}`;
delete env.NODE_OPTIONS;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeout = 180_000): Promise<Run> {
  return new Promise(done => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr: stderr || (error && code !== 0 ? String(error.message) : '') });
    });
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Runs a consumer with Node 22; its last stdout line is the JSON it printed. */
async function runApp(file: string): Promise<{ result: Run; printed: Record<string, unknown> | undefined }> {
  const result = await run(node, [file], app, 60_000);
  const last = result.stdout.trim().split('\n').at(-1);
  let printed: Record<string, unknown> | undefined;
  try {
    printed = last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  } catch {
    printed = undefined;
  }
  return { result, printed };
}

function expectWrittenRow(printed: Record<string, unknown> | undefined, expected: Record<string, unknown>): void {
  expect(printed).toMatchObject({ id: 1, createdAtIsDate: true, chain: ['timestamp'], ...expected });
  // The timestamp plugin set it during this run, not some fixed or zero date.
  const createdAt = Date.parse(String(printed!.createdAt));
  expect(createdAt).toBeGreaterThanOrEqual(startedAt - 1000);
  expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
}

let app: string;
let packed: { filename: string; files: { path: string }[] };
const startedAt = Date.now();

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'mop-packaging-'));
  await ok('npm', ['run', 'build'], root);
  const packOutput = await ok('npm', ['pack', '--json', '--pack-destination', app], root);
  packed = (JSON.parse(packOutput) as (typeof packed)[])[0]!;

  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(app, file));
  // No "type" field: .js files here would be CommonJS, as in a default NestJS or Express project.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mop-packaging-consumer', version: '1.0.0', private: true }, null, 2));
  const orm = manifest.devDependencies['@mikro-orm/core'];
  await ok(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      `./${packed.filename}`,
      `@mikro-orm/core@${orm}`,
      `@mikro-orm/sqlite@${manifest.devDependencies['@mikro-orm/sqlite']}`,
      `@types/node@${typesNodeVersion}`,
    ],
    app,
  );
}, 240_000);

afterAll(() => {
  if (app && !process.env.KEEP_PACKAGING_TMP) rmSync(app, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('ships the build and every file its exports name, and not the sources or tests', () => {
    const files = packed.files.map(f => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    const targets = Object.values(manifest.exports).flatMap(target => (typeof target === 'string' ? [target] : Object.values(target)));
    expect(targets.map(t => t.replace(/^\.\//, '')).filter(t => !files.includes(t))).toEqual([]);
    expect(files.filter(f => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  test('ships its JavaScript bundled: one file per entry point (and the CLI body), shared code in dist/chunks/; the console page beside its entry', () => {
    const entries = [...Object.values(manifest.exports), ...Object.values(manifest.bin)]
      .flatMap(target => (typeof target === 'string' ? [target] : Object.values(target)))
      .filter(t => t.endsWith('.js'))
      .map(t => t.replace(/^\.\//, ''));
    const scripts = packed.files.map(f => f.path).filter(f => f.endsWith('.js'));
    // Not the ~110 modules tsc emits: those would be a second copy of everything the bundles hold.
    // The console page's own scripts run in the browser, not in Node.
    const page = (f: string) => f.startsWith('dist/console/assets/');
    expect(scripts.filter(f => !entries.includes(f) && f !== 'dist/cli/run.js' && !f.startsWith('dist/chunks/') && !page(f))).toEqual([]);
    expect(scripts.filter(f => f.startsWith('dist/chunks/')).length).toBeGreaterThan(0);
    expect(packed.files.map(f => f.path).filter(f => page(f) && /\/(index\.html|console\.js|console\.css)$/.test(f)).length).toBe(3);
  });

  test("`import 'mikro-orm-plugins'` reads its entry and one chunk, and the JavaScript ships without comments (the declarations keep theirs)", () => {
    const relativeImports = (file: string) => [...new Set([...readFileSync(join(root, 'dist', file), 'utf8').matchAll(/(?:from|import)\s*["'](\.[^"']+)["']/g)].map(m => m[1]))];
    expect(relativeImports('index.js')).toEqual(['./chunks/main.js']);
    expect(relativeImports('chunks/main.js')).toEqual([]);
    for (const file of ['index.js', 'chunks/main.js', 'cache.js', 'audit.js']) expect(readFileSync(join(root, 'dist', file), 'utf8')).not.toMatch(/\/\*\*|^\s*\/\/ /m);
    expect(readFileSync(join(root, 'dist/events.d.ts'), 'utf8')).toMatch(/\/\*\*/);
  });

  test('every entry point, imported and required in one application, shares one copy of the package code', async () => {
    const { result, printed } = await runApp('entries.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(printed).toEqual({
      app: 'entries',
      // One default registry: the one `mikro-orm-plugins` exports holds the built-ins every other entry registered.
      registries: true,
      registered: ['timestamp', 'softDelete', 'validation', 'audit', 'cache'],
      errorClasses: true,
      cacheErrorIsPluginError: true,
      requiredEntriesAreImported: true,
      testing: 'function',
    });
  });

  test('a CommonJS application can require() it and write a row through the timestamp plugin', async () => {
    const { result, printed } = await runApp('app.cjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectWrittenRow(printed, { app: 'cjs', text: 'written by require' });
  });

  test('an ES module application can import it and write a row through the timestamp plugin', async () => {
    const { result, printed } = await runApp('app.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectWrittenRow(printed, { app: 'esm', text: 'written by import' });
  });

  test('a CommonJS TypeScript application type-checks against the packed types (module nodenext), compiles and runs', async () => {
    const compiled = await run(node, [tsc, '-p', 'tsconfig.nodenext.json'], app);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    // tsc emitted require() calls, so this really is a CommonJS module loading the package.
    expect(readFileSync(join(app, 'out/typed-app.cjs'), 'utf8')).toContain('require("mikro-orm-plugins")');

    const { result, printed } = await runApp('out/typed-app.cjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectWrittenRow(printed, { app: 'typed-cjs', text: 'written by typed require', shelf: 'top' });
  });

  test('the same TypeScript application type-checks with classic module commonjs resolution', async () => {
    // TypeScript 7 drops node10 resolution; this check goes with it.
    const checked = await run(node, [tsc, '-p', 'tsconfig.commonjs.json'], app);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });
});

// The README's quickstart, as a newcomer follows it: its install lines (the tarball standing in for the
// registry's release), its tsconfig.json, its src/app.ts, `tsc`, then `node`; the output it shows.
describe("the README's quickstart", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = (title: string) => readme.slice(readme.indexOf(`\n## ${title}\n`), readme.indexOf('\n## ', readme.indexOf(`\n## ${title}\n`) + 1));
  const block = (text: string, lang: string, after = '') => {
    const match = new RegExp(`${after}\`\`\`${lang}\n([\\s\\S]*?)\`\`\``).exec(text);
    if (!match) throw new Error(`no \`\`\`${lang} block${after ? ` after ${after}` : ''}`);
    return match[1]!;
  };
  const quickstart = section('Quickstart');
  let project: string;

  /** A package the README installs, at the version this repository tests (so the npm cache serves it). */
  function pinned(name: string): string {
    if (name === manifest.name) return join(app, packed.filename);
    if (name === '@types/node') return `${name}@${typesNodeVersion}`;
    const version = manifest.devDependencies[name];
    if (version === undefined) throw new Error(`the README installs ${name}, which this repository does not test`);
    return `${name}@${version}`;
  }

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'mop-quickstart-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
    for (const line of block(section('Install'), 'bash').trim().split('\n')) {
      const [npm, install, ...rest] = line.trim().split(/\s+/);
      expect([npm, install]).toEqual(['npm', 'install']);
      const flags = rest.filter(a => a.startsWith('-'));
      const packages = rest.filter(a => !a.startsWith('-')).map(pinned);
      await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...flags, ...packages], project);
    }
    writeFileSync(join(project, 'tsconfig.json'), block(quickstart, 'json'));
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src/app.ts'), block(quickstart, 'ts', '<!-- quickstart -->\n'));
  }, 240_000);

  afterAll(() => {
    if (project && !process.env.KEEP_PACKAGING_TMP) rmSync(project, { recursive: true, force: true });
  });

  test('is the example CI runs', () => {
    expect(block(quickstart, 'ts', '<!-- quickstart -->\n')).toBe(readFileSync(join(root, 'examples/first-app/main.ts'), 'utf8'));
  });

  test('compiles with its own tsconfig (strict) and prints what the README shows', async () => {
    const compiled = await run(node, [join(project, 'node_modules/typescript/bin/tsc')], project);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const ran = await run(node, ['dist/app.js'], project, 60_000);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(block(quickstart, 'text'));
  }, 180_000);
});
