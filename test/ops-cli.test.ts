import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MikroORM, type Options } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { Output } from '../src/cli/output.js';
import { describeEachDatabase, sqlite, type Database } from './support/databases.js';

// The CLI against the example app (examples/ops-app, compiled), built here as `npm run build` builds it.
// Most cases run the CLI's `run()` in this process, from the build (dist/cli/run.js, the code the binary runs)
// loaded by Node itself rather than through vitest: the app's config imports 'mikro-orm-plugins' by name, which
// resolves to dist/, so the CLI and the app then share one copy of the package, as in the binary. Each run gets
// its own environment, working directory and evaluation of the config file, as a new process would. The binary
// itself (dist/cli/main.js) is spawned by the cases that need a real process: exit codes, stdout and stderr of
// a process, a terminal's colour, a TypeScript config loaded through the loader MikroORM registers.
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'dist/cli/main.js');
const app = join(root, '.tmp/examples/ops-app');
const tmp = mkdtempSync(join(tmpdir(), 'mop-ops-cli-'));
// Generous time (a test starts the CLI up to a dozen times), no timing asserted.
vi.setConfig({ testTimeout: 180_000 });

const SECRET = `sk-PLANTED-${Math.random().toString(36).slice(2)}-key`;

type Run = (argv: readonly string[], context: { out: Output }) => Promise<number>;
let runCli: Run;
let nativeImport: (specifier: string) => Promise<Record<string, any>>;

beforeAll(() => {
  // tsc emits even when another part of the checkout has type errors; the files below are what matters.
  spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'examples/ops-app/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  for (const file of [bin, join(root, 'dist/cli/run.js'), join(app, 'mikro-orm.config.js'), join(app, 'setup.js')]) if (!existsSync(file)) throw new Error(`build did not produce ${file}`);
  const require = createRequire(import.meta.url);
  runCli = (require(join(root, 'dist/cli/run.js')) as { run: Run }).run;
  nativeImport = (require('./support/native-import.mjs') as { nativeImport: typeof nativeImport }).nativeImport;
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function envFor(db: Database, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['VITEST', 'MIKRO_ORM_CLI_CONFIG', 'MIKRO_ORM_CONTEXT_NAME', 'FORCE_COLOR', 'NO_COLOR']) delete env[name];
  return { ...env, OPS_APP_DRIVER: db.name, OPS_APP_DB_NAME: process.env.TEST_DB_NAME ?? 'test', OPS_APP_SQLITE: join(tmp, `${db.name}.sqlite`), OPS_APP_QUIET: '1', OPS_APP_NOTIFY_KEY: SECRET, ...extra };
}

interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** The real binary, in a child process. */
function spawnCli(db: Database, args: string[], options: CliOptions = {}): Result {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? app, env: envFor(db, options.env), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let evaluations = 0;

/**
 * Runs `body` as if in a new process: `env` as the whole environment, `cwd` as the working directory, and every
 * module MikroORM loads by path (the config file) evaluated afresh (its URL gets a query), since configs read the
 * environment at their top level. Whatever the run prints through console or process streams is captured too.
 */
async function asProcess<T>(env: NodeJS.ProcessEnv, cwd: string, body: (printed: { stdout: string[]; stderr: string[] }) => Promise<T>): Promise<T> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'dynamicImportProvider');
  const printed = { stdout: [] as string[], stderr: [] as string[] };
  const setEnv = (next: NodeJS.ProcessEnv) => {
    for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key];
    Object.assign(process.env, next);
  };
  const evaluation = ++evaluations;
  setEnv(env);
  process.chdir(cwd);
  // MikroORM loads config files through this global; its CLI sets it to its TypeScript loader's plain import() on
  // every run, so it is held here (writes ignored) for the run: the same import, plus a query.
  const provider = (id: string) => nativeImport(`${id}${id.includes('?') ? '&' : '?'}run=${evaluation}`);
  Object.defineProperty(globalThis, 'dynamicImportProvider', { configurable: true, get: () => provider, set: () => undefined });
  const spies = [
    ...(['log', 'info', 'debug'] as const).map(m => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void printed.stdout.push(`${a.join(' ')}\n`))),
    ...(['warn', 'error'] as const).map(m => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void printed.stderr.push(`${a.join(' ')}\n`))),
    vi.spyOn(process.stdout, 'write').mockImplementation(chunk => (printed.stdout.push(String(chunk)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation(chunk => (printed.stderr.push(String(chunk)), true)),
  ];
  try {
    return await body(printed);
  } finally {
    for (const spy of spies) spy.mockRestore();
    delete (globalThis as { dynamicImportProvider?: unknown }).dynamicImportProvider;
    if (saved) Object.defineProperty(globalThis, 'dynamicImportProvider', saved);
    process.chdir(savedCwd);
    setEnv(savedEnv);
  }
}

/**
 * The CLI's run(), from the build, in this process (see the top of the file): exit code, stdout and stderr.
 * No TypeScript loader (MIKRO_ORM_CLI_PREFER_TS=0): the one MikroORM would register here (jiti) caches modules by
 * path, query or not, so every run would get the first run's config; the configs are JavaScript, and the cases
 * with a TypeScript config spawn the binary.
 */
async function cli(db: Database, args: string[], options: CliOptions = {}): Promise<Result> {
  return asProcess(envFor(db, { MIKRO_ORM_CLI_PREFER_TS: '0', ...options.env }), options.cwd ?? app, async printed => {
    const stream = (into: string[]) => ({ isTTY: false, write: (text: string) => (into.push(text), true) }) as unknown as NodeJS.WriteStream;
    const status = await runCli(args, { out: new Output(stream(printed.stdout), stream(printed.stderr)) });
    return { status, stdout: printed.stdout.join(''), stderr: printed.stderr.join('') };
  });
}

function json(result: Result): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** A fresh schema for the app: tables (plugin_state included) created, no rows. */
function setup(db: Database): void {
  // A time limit: a child that never exits would otherwise hold the whole file (spawnSync blocks vitest's timers).
  const result = spawnSync(process.execPath, [join(app, 'setup.js')], { cwd: app, env: envFor(db), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`setup failed (exit ${result.status ?? result.signal}): ${result.stderr}`);
}

/** Creates an Article in a fresh instance of the app (a child process, reading plugin_state at start); prints what the outbox sink got. */
function createArticle(db: Database, title: string): Result {
  const script = [
    `import config from ${JSON.stringify(join(app, 'mikro-orm.config.js'))};`,
    `import { outbox } from ${JSON.stringify(join(app, 'audit-sinks.js'))};`,
    `import { Article } from ${JSON.stringify(join(app, 'entities.js'))};`,
    `import { MikroORM } from '@mikro-orm/core';`,
    `const orm = await MikroORM.init(config);`,
    `const em = orm.em.fork();`,
    `em.create(Article, { title: ${JSON.stringify(title)}, body: 'audited words' });`,
    `await em.flush();`,
    `console.log('outbox=' + JSON.stringify(outbox));`,
    `await orm.close(true);`,
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: envFor(db), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`creating an Article failed (exit ${result.status ?? result.signal}): ${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs one SQL statement on the app's database, through its own config (a fresh evaluation of it); returns the rows as JSON. */
async function sql(db: Database, statement: string): Promise<string> {
  return asProcess(envFor(db), app, async () => {
    const { default: config } = await nativeImport(`${pathToFileURL(join(app, 'mikro-orm.config.js')).href}?sql=${++evaluations}`);
    const orm = await MikroORM.init(config as Options);
    try {
      return JSON.stringify(await orm.em.getConnection().execute(statement));
    } finally {
      await orm.close(true);
    }
  });
}

describeEachDatabase('CLI', db => {
  beforeAll(() => setup(db), 60_000);

  test('list --json: plugins in load order with versions, status and the entities each applies to; plugin types', async () => {
    const out = json(await cli(db, ['list', '--json']));
    expect(out.ok).toBe(true);
    expect(out.config).toBe(join(app, 'mikro-orm.config.js'));
    const names = out.plugins.map((p: { name: string }) => p.name);
    // Config file first (the `content` group, then ./plugins by file name, duplicates once), then code.
    expect(names.slice(0, 4)).toEqual(['permalink', 'legacyExport', 'notify', 'wordCount']);
    expect(names).toEqual(expect.arrayContaining(['timestamp', 'softDelete', 'validation']));
    const notify = out.plugins.find((p: { name: string }) => p.name === 'notify');
    expect(notify).toMatchObject({ version: '2.0.0', status: 'active', package: null });
    expect(out.plugins.find((p: { name: string }) => p.name === 'timestamp').package).toBe('mikro-orm-plugins');
    expect(notify.entities.map((e: { entity: string }) => e.entity)).toEqual(['Article', 'Author']);
    expect(out.plugins.find((p: { name: string }) => p.name === 'legacyExport').entities).toEqual([]);
    const type = (name: string) => out.types.find((t: { type: string }) => t.type === name);
    expect(type('OtpSender').implementations).toEqual([
      expect.objectContaining({ name: 'sms', status: 'active', priority: 10, chosen: true }),
      expect.objectContaining({ name: 'email', status: 'reserve', chosen: false }),
    ]);
    // The package's own plugin type, with the app's implementations.
    expect(type('AuditSink')).toMatchObject({ methods: ['write'] });
    expect(type('AuditSink').implementations.map((i: any) => [i.key, i.status, i.priority, i.chosen])).toEqual([
      ['AuditSink:outbox', 'active', 10, true],
      ['AuditSink:console', 'reserve', 20, false],
    ]);
  });

  test('list prints a table, without colour when stdout is not a terminal', async () => {
    const result = await cli(db, ['list']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/NAME\s+VERSION\s+STATUS\s+PRIORITY\s+ENTITIES\s+PACKAGE/);
    expect(result.stdout).toMatch(/timestamp\s+1\.0\.0\s+active\s.*\smikro-orm-plugins\n/);
    expect(result.stdout).toMatch(/notify\s+2\.0\.0\s+active/);
    expect(result.stdout).not.toContain('\u001b[');
    // FORCE_COLOR stands in for a terminal.
    expect((await cli(db, ['list'], { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[');
  });

  test('explain: the ordered chain with priority and the rule that placed each hook', async () => {
    const out = json(await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json']));
    expect(out.chains).toHaveLength(1);
    expect(out.chains[0].hooks.map((h: any) => [h.plugin, h.method, h.priority, h.rule])).toEqual([
      ['timestamp', 'stampCreate', -100, 'priority'],
      ['permalink', 'fill', -10, 'priority'],
      // Priority -20 would run it before permalink; its `after: ['permalink']` holds it back.
      ['wordCount', 'count', -20, 'constraint'],
    ]);
    expect(out.chains[0].hooks[2].reason).toContain("wordCount declares after: ['permalink']");
    const text = await cli(db, ['explain', 'Article', '--event', 'beforeCreate']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('3. wordCount.count [beforeSave]  priority -20  rule: constraint');
  });

  test('explain without an entity covers every entity and event; --format mermaid is a flowchart', async () => {
    const all = json(await cli(db, ['explain', '--format', 'json']));
    const pairs = all.chains.map((c: any) => `${c.entity}.${c.event}`);
    expect(pairs).toEqual(expect.arrayContaining(['Article.beforeCreate', 'Article.afterChange', 'Article.queryFilter', 'Author.beforeCreate', 'Author.afterChange']));
    const mermaid = await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--format', 'mermaid']);
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid.stdout).toContain('subgraph Article_beforeCreate["Article · beforeCreate"]');
    expect(mermaid.stdout).toContain('Article_beforeCreate_2 -->|constraint| Article_beforeCreate_3');
  });

  test('errors: unknown entity exits 1; a usage error exits 2 with the usage', async () => {
    const unknown = await cli(db, ['explain', 'Nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("'Nope' is not a discovered entity");
    const usage = await cli(db, ['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
    expect(usage.stderr).toContain('Usage: mikro-orm-plugins');
    expect((await cli(db, ['priority', 'notify', 'high'])).status).toBe(2);
    expect(json(await cli(db, ['explain', 'Nope', '--json']))).toMatchObject({ ok: false, error: { code: 'MOP_UNKNOWN_ENTITY' } });
  });

  test('misspelt names fail with a did-you-mean: an event, an entity, a plugin', async () => {
    const event = await cli(db, ['explain', 'Article', '--event', 'beforSave']);
    expect(event.status).toBe(1);
    expect(event.stderr).toContain("did you mean 'beforeSave'?");
    expect(json(await cli(db, ['explain', '--event', 'beforSave', '--json']))).toMatchObject({ ok: false, error: { code: 'MOP_UNKNOWN_EVENT' } });
    const entity = await cli(db, ['explain', 'Artcle']);
    expect(entity.status).toBe(1);
    expect(entity.stderr).toContain("did you mean 'Article'?");
    const plugin = await cli(db, ['enable', 'permalnk']);
    expect(plugin.status).toBe(1);
    expect(plugin.stderr).toContain("did you mean 'permalink'?");
  });

  test('every command says on stderr which config it used; stdout stays the output', async () => {
    for (const args of [['list'], ['explain', 'Article'], ['schema', 'notify'], ['doctor']]) {
      const result = await cli(db, args);
      expect(result.stderr, args.join(' ')).toContain('config: mikro-orm.config.js');
      expect(result.stdout).not.toContain('config: ');
    }
    expect(json(await cli(db, ['explain', 'Article', '--json'])).config).toBe(join(app, 'mikro-orm.config.js'));
  });

  test('sync, then enable/disable/priority change what explain shows; sync is idempotent and prunes unless --no-prune', async () => {
    const first = json(await cli(db, ['sync', '--json']));
    const again = json(await cli(db, ['sync', '--json']));
    expect(first.inserted.length).toBeGreaterThan(10);
    expect(again).toMatchObject({ inserted: [], updated: [], pruned: [] });

    expect((await cli(db, ['disable', 'permalink', '--entity', 'Article'])).stdout).toContain('permalink on Article: disabled');
    expect((await cli(db, ['priority', 'wordCount', '-200', '--entity', 'Article'])).status).toBe(0);
    const chain = json(await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks;
    expect(chain.map((h: any) => `${h.plugin}:${h.priority}:${h.prioritySource}`)).toEqual(['wordCount:-200:stored', 'timestamp:-100:code']);
    const listed = json(await cli(db, ['list', '--json'])).plugins.find((p: any) => p.name === 'permalink');
    expect(listed.entities[0]).toMatchObject({ entity: 'Article', status: 'disabled' });

    // `create` never overwrites an operator's change; `update` refreshes priorities from code.
    expect(json(await cli(db, ['sync', '--json'])).updated).toEqual([]);
    expect(json(await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks[0].priority).toBe(-200);
    expect(json(await cli(db, ['sync', '--mode', 'update', '--json'])).updated).toContain('wordCount @ Article');
    const updated = json(await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks;
    expect(updated.map((h: any) => `${h.plugin}:${h.priority}:${h.prioritySource}`)).toEqual(['timestamp:-100:code', 'wordCount:-20:code']);
    expect((await cli(db, ['enable', 'permalink', '--entity', 'Article'])).status).toBe(0);
    expect(json(await cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks).toHaveLength(3);

    // Plugin-type implementations are switched the same way.
    expect((await cli(db, ['disable', 'OtpSender:sms'])).status).toBe(0);
    const types = json(await cli(db, ['list', '--json'])).types.find((t: any) => t.type === 'OtpSender').implementations;
    expect(types.find((i: any) => i.chosen).name).toBe('email');
    expect((await cli(db, ['enable', 'OtpSender:sms'])).status).toBe(0);

    // A stale row: kept by --no-prune, removed by a plain sync.
    await sql(db, `insert into plugin_state (plugin, entity, status, updated_at) values ('ghost', '*', 'active', '2024-01-01 00:00:00')`);
    expect(json(await cli(db, ['sync', '--no-prune', '--json'])).pruned).toEqual([]);
    expect(json(await cli(db, ['sync', '--json'])).pruned).toEqual(['ghost']);
    const failing = await cli(db, ['disable', 'ghost']);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("No plugin or implementation named 'ghost'");
  });

  test('operators switch the audit sink with the CLI: the next instance sends its records to the reserve one', async () => {
    expect((await cli(db, ['sync'])).status).toBe(0);
    const before = createArticle(db, 'to the outbox');
    expect(before.stdout).toMatch(/outbox=\["create Article \d+"\]/);
    expect(before.stdout).not.toContain('[audit]');

    expect((await cli(db, ['disable', 'AuditSink:outbox'])).stdout).toContain('AuditSink:outbox: disabled');
    const sinks = json(await cli(db, ['list', '--json'])).types.find((t: any) => t.type === 'AuditSink').implementations;
    expect(sinks.map((i: any) => [i.name, i.status, i.chosen])).toEqual([
      ['outbox', 'disabled', false],
      ['console', 'reserve', true],
    ]);
    const after = createArticle(db, 'to the console');
    expect(after.stdout).toContain('outbox=[]');
    expect(after.stdout).toMatch(/\[audit\] create Article \d+/);

    // Back to the outbox, by priority this time: the reserve one stays in reserve.
    expect((await cli(db, ['enable', 'AuditSink:outbox'])).status).toBe(0);
    expect((await cli(db, ['priority', 'AuditSink:console', '1'])).status).toBe(0);
    const again = createArticle(db, 'outbox again');
    expect(again.stdout).toMatch(/outbox=\["create Article \d+"\]/);
    expect(again.stdout).not.toContain('[audit]');
  });

  test('doctor lists every invalid option of every entity, naming entity, plugin and option, secrets as ***', async () => {
    const config = join(app, 'misconfigured.config.js');
    expect((await cli(db, ['sync'])).status).toBe(0);
    const env = { OPS_APP_NOTIFY_KEY: 'Zq7!x' };
    // A normal start stops at the first bad option and points to doctor.
    const list = await cli(db, ['list', '--config', config], { env });
    expect(list.status).toBe(1);
    expect(list.stderr).toContain('is invalid');
    expect(list.stderr).toContain('`mikro-orm-plugins doctor` lists every invalid option');

    const result = await cli(db, ['doctor', '--json', '--config', config], { env });
    expect(result.status).toBe(1);
    const report = json(result);
    expect(report).toMatchObject({ ok: false, config });
    const invalid = report.findings.filter((f: any) => f.check === 'options' && f.level === 'error');
    expect(invalid.map((f: any) => `${f.entity}.${f.plugin}.${f.option}`).sort()).toEqual(['Article.notify.apiKey', 'Article.notify.retries', 'Author.notify.apiKey', 'Author.notify.endpoint']);
    expect(invalid.every((f: any) => f.code === 'MOP_INVALID_OPTIONS')).toBe(true);
    const message = (entity: string, option: string) => invalid.find((f: any) => f.entity === entity && f.option === option).message;
    expect(message('Author', 'endpoint')).toBe(`Entity 'Author', plugin 'notify': option 'endpoint' is invalid: expected a string matching /https://.+/, received "http://notify.example.test"`);
    expect(message('Article', 'retries')).toBe(`Entity 'Article', plugin 'notify': option 'retries' is invalid: expected an integer <= 10, received 99`);
    for (const entity of ['Article', 'Author']) expect(message(entity, 'apiKey')).toContain(`option 'apiKey' is invalid: expected a string of at least 8 characters, received "***"`);
    // The other checks still ran; rows of the entities that failed are not called stale.
    expect(report.findings).toContainEqual(expect.objectContaining({ level: 'ok', check: 'health', plugin: 'notify' }));
    expect(report.findings.filter((f: any) => f.check === 'state' && f.level !== 'ok')).toEqual([]);
    expect(report.findings.filter((f: any) => f.level === 'error')).toHaveLength(4);

    const text = await cli(db, ['doctor', '--config', config], { env });
    expect(text.status).toBe(1);
    for (const f of invalid) expect(text.stdout).toContain(`FAIL options    ${f.message}`);
    expect(text.stdout).toContain('4 failure(s)');
    expect(list.stderr + result.stdout + text.stdout).not.toContain('Zq7!x');
  });

  test('doctor: health checks and connection tests pass, the unused registration is reported, exit 0', async () => {
    const result = await cli(db, ['doctor']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('notify: healthy');
    expect(result.stdout).toContain("notify: connection test passed with Article's options");
    expect(result.stdout).toContain('legacyExport is registered but no entity uses it');
    const report = json(await cli(db, ['doctor', '--json']));
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f: any) => f.level === 'error')).toEqual([]);
  });

  test('doctor: a failing connection test, a disabled plugin and a missing column fail it with exit 1', async () => {
    await cli(db, ['sync']);
    expect((await cli(db, ['disable', 'wordCount'])).status).toBe(0);
    const result = await cli(db, ['doctor', '--json'], { env: { OPS_APP_FAIL_CONNECTION: '1' } });
    expect(result.status).toBe(1);
    const report = json(result);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', check: 'connection', plugin: 'notify' }),
        expect.objectContaining({ level: 'warning', check: 'disabled', plugin: 'wordCount', message: 'wordCount is disabled' }),
      ]),
    );
    expect((await cli(db, ['enable', 'wordCount'])).status).toBe(0);
    // Drop a column a plugin added (timestamp's updated_at) behind the app's back.
    await sql(db, 'alter table article drop column updated_at');
    const missing = json(await cli(db, ['doctor', '--json']));
    expect(missing.ok).toBe(false);
    expect(missing.findings).toContainEqual(expect.objectContaining({ level: 'error', check: 'column', entity: 'Article', message: expect.stringContaining('updated_at') }));
    setup(db);
  });

  test('a planted secret appears in no output of list, explain, doctor, sync, schema or an error, nor in plugin_state', async () => {
    const outputs: Result[] = [];
    const run = async (args: string[], env?: Record<string, string>) => {
      const result = await cli(db, args, { env });
      outputs.push(result);
      return result;
    };
    await run(['sync']);
    for (const args of [['list'], ['list', '--json'], ['explain'], ['explain', '--json'], ['explain', '--format', 'mermaid'], ['doctor'], ['doctor', '--json'], ['sync', '--mode', 'update', '--json'], ['schema', 'notify']]) {
      await run(args);
    }
    // The connection test's error quotes the key, as real provider clients do.
    const failed = await run(['doctor'], { OPS_APP_FAIL_CONNECTION: '1' });
    expect(failed.stdout).toContain('invalid API key ***');
    // A secret that fails its own rule: the start-up error names the option, never the value.
    const bad = await run(['list'], { OPS_APP_NOTIFY_KEY: 'Zq7!x' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("option 'apiKey' is invalid");
    expect(bad.stderr).toContain('received "***"');
    const badDoctor = await run(['doctor', '--json'], { OPS_APP_NOTIFY_KEY: 'Zq7!x' });
    expect(badDoctor.status).toBe(1);
    const everything = outputs.map(o => o.stdout + o.stderr).join('\n');
    expect(everything).toContain('***');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('Zq7!x');

    const dump = await sql(db, 'select * from plugin_state');
    expect(dump).toContain('notify');
    expect(dump).toContain('https://notify.example.test');
    expect(dump).not.toContain(SECRET);
  });

  test("finds the config as MikroORM's CLI does: --config, MIKRO_ORM_CLI_CONFIG, package.json configPaths; --context; not found", async () => {
    const elsewhere = join(tmp, `${db.name}-elsewhere`);
    mkdirSync(elsewhere, { recursive: true });
    // MikroORM's loader wants @mikro-orm/cli among the app's own dependencies.
    const withCli = { name: 'elsewhere', devDependencies: { '@mikro-orm/cli': '*' } };
    writeFileSync(join(elsewhere, 'package.json'), JSON.stringify(withCli));
    const config = join(app, 'mikro-orm.config.js');
    const notFound = await cli(db, ['list'], { cwd: elsewhere });
    expect(notFound.status).toBe(1);
    expect(notFound.stderr).toContain('MikroORM config file not found in');
    expect(notFound.stderr).toContain('./mikro-orm.config.js');
    const explicit = await cli(db, ['list', '--json', '--config', config], { cwd: elsewhere });
    expect(json(explicit).config, explicit.stdout + explicit.stderr).toBe(config);
    expect(json(await cli(db, ['list', '--json'], { cwd: elsewhere, env: { MIKRO_ORM_CLI_CONFIG: config } })).config).toBe(config);
    writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ ...withCli, 'mikro-orm': { configPaths: [config] } }));
    mkdirSync(join(elsewhere, 'sub'), { recursive: true });
    expect(json(await cli(db, ['list', '--json'], { cwd: join(elsewhere, 'sub') })).config).toBe(config);
    const context = await cli(db, ['list', '--context', 'reporting'], { cwd: elsewhere });
    expect(context.status).toBe(1);
    expect(context.stderr).toContain("MikroORM config 'reporting' was not what the default export");
  });

  test('schema <plugin> prints the options as JSON Schema', async () => {
    const schema = json(await cli(db, ['schema', 'notify']));
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'notify',
      type: 'object',
      required: ['apiKey'],
      properties: {
        channel: { type: 'string', default: 'email', enum: ['email', 'sms'], 'x-group': 'delivery', 'x-order': 1 },
        retries: { type: 'integer', default: 3, minimum: 0, maximum: 10 },
        endpoint: { pattern: '^(?:https://.+)$' },
        apiKey: { type: 'string', writeOnly: true, format: 'password', minLength: 8 },
      },
    });
    expect(Object.keys(schema.properties)).toEqual(['channel', 'endpoint', 'retries', 'apiKey']);
    expect(schema.properties.apiKey.default).toBeUndefined();
  });
});

// What only a real process shows: the binary's exit codes, its own stdout and stderr, a pipe's lack of colour.
describe('the binary, end to end', () => {
  beforeAll(() => setup(sqlite), 60_000);

  test('finds the config file from its working directory: JSON on stdout, the config it used on stderr, exit 0', () => {
    const result = spawnCli(sqlite, ['list', '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('config: mikro-orm.config.js');
    const out = json(result);
    expect(out.config).toBe(join(app, 'mikro-orm.config.js'));
    expect(out.plugins.map((p: { name: string }) => p.name).slice(0, 4)).toEqual(['permalink', 'legacyExport', 'notify', 'wordCount']);
  });

  test('exits 1 on a failure and 2 on a usage error (with the usage), on stderr only', () => {
    const unknown = spawnCli(sqlite, ['explain', 'Nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("'Nope' is not a discovered entity");
    expect(unknown.stdout).toBe('');
    const usage = spawnCli(sqlite, ['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
    expect(usage.stderr).toContain('Usage: mikro-orm-plugins');
    expect(usage.stdout).toBe('');
  });

  test('no colour on a pipe unless FORCE_COLOR; a failing doctor exits 1 with the secret its error quoted masked', () => {
    const plain = spawnCli(sqlite, ['list']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/NAME\s+VERSION\s+STATUS/);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(spawnCli(sqlite, ['list'], { env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
    const doctor = spawnCli(sqlite, ['doctor'], { env: { OPS_APP_FAIL_CONNECTION: '1' } });
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain('invalid API key ***');
    expect(doctor.stdout + doctor.stderr).not.toContain(SECRET);
  });
});

describe('a TypeScript config, loaded as `mikro-orm` loads it', () => {
  // Inside the checkout, with no package.json of its own: the package resolves by its own name, and
  // @mikro-orm/cli and a TypeScript loader (jiti) are among the dependencies MikroORM's loader looks at.
  mkdirSync(join(root, '.tmp'), { recursive: true }); // a fresh clone has none yet
  const project = mkdtempSync(join(root, '.tmp', 'cli-ts-app-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  const config = (label: string) =>
    [
      `import { defineConfig, EntitySchema } from '@mikro-orm/core';`,
      `import { SqliteDriver } from '@mikro-orm/sqlite';`,
      `import { pluginSystem } from 'mikro-orm-plugins';`,
      `interface Memo { id: number; text: string }`,
      `const Memo = new EntitySchema<Memo>({ name: ${JSON.stringify(label)}, properties: { id: { type: 'integer', primary: true }, text: { type: 'string' } } });`,
      `export default defineConfig({ driver: SqliteDriver, dbName: ':memory:', entities: [Memo], extensions: [pluginSystem({ global: ['timestamp'] })] });`,
    ].join('\n');

  beforeAll(() => {
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src/mikro-orm.config.ts'), config('TsMemo'));
  });

  test('src/mikro-orm.config.ts is found and compiled by the loader MikroORM registers', () => {
    const result = spawnCli(sqlite, ['explain', 'TsMemo', '--json'], { cwd: project });
    expect(result.stderr).toContain('config: src/mikro-orm.config.ts');
    const out = json(result);
    expect(out.config).toBe(join(project, 'src/mikro-orm.config.ts'));
    expect(out.chains.map((c: { event: string }) => c.event)).toContain('beforeCreate');
  });

  test('an app without pluginOperations(): doctor does not send it to `sync`, and the state commands say what to add', () => {
    const doctor = spawnCli(sqlite, ['doctor'], { cwd: project });
    // (It fails on the missing table: the config's database is in memory.)
    expect(doctor.stdout, doctor.stderr).toContain('ok   state      no stored plugin state: the app does not use pluginOperations()');
    expect(doctor.stdout).not.toContain('sync');
    for (const args of [['sync'], ['enable', 'timestamp'], ['priority', 'timestamp', '5']]) {
      const result = spawnCli(sqlite, args, { cwd: project });
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toContain("config has no pluginOperations()");
    }
  });

  test('a dist build older than its TypeScript source is used only with a warning naming both', () => {
    mkdirSync(join(project, 'dist'), { recursive: true });
    writeFileSync(join(project, 'dist/mikro-orm.config.js'), config('JsMemo').replace(/^interface.*$/m, '').replace('new EntitySchema<Memo>', 'new EntitySchema'));
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(project, 'dist/mikro-orm.config.js'), past, past);
    // Without TypeScript (as MikroORM's CLI with no loader), the compiled file is the candidate.
    const stale = spawnCli(sqlite, ['explain', 'JsMemo'], { cwd: project, env: { MIKRO_ORM_CLI_PREFER_TS: '0' } });
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('config: dist/mikro-orm.config.js');
    expect(stale.stderr).toMatch(/warning: dist\/mikro-orm\.config\.js is older than src\/mikro-orm\.config\.ts/);
    // Rebuilt (newer than its source): no warning.
    const now = new Date();
    utimesSync(join(project, 'dist/mikro-orm.config.js'), now, now);
    expect(spawnCli(sqlite, ['explain', 'JsMemo'], { cwd: project, env: { MIKRO_ORM_CLI_PREFER_TS: '0' } }).stderr).not.toContain('warning');
  });
});
