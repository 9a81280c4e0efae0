import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { describeEachDatabase, sqlite, type Database } from './support/databases.js';

// The real binary (dist/cli/main.js, built here as `npm run build` does) against the example app (examples/ops-app, compiled).
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'dist/cli/main.js');
const app = join(root, '.tmp/examples/ops-app');
const tmp = mkdtempSync(join(tmpdir(), 'mop-ops-cli-'));
// Each test starts the CLI (a Node process and an ORM) up to a dozen times: generous time, no timing asserted.
vi.setConfig({ testTimeout: 180_000 });

const SECRET = `sk-PLANTED-${Math.random().toString(36).slice(2)}-key`;

beforeAll(() => {
  for (const project of ['tsconfig.build.json', 'examples/ops-app/tsconfig.json']) {
    // tsc emits even when another part of the checkout has type errors; the files below are what matters.
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: root, encoding: 'utf8' });
  }
  for (const file of [bin, join(app, 'mikro-orm.config.js'), join(app, 'setup.js')]) if (!existsSync(file)) throw new Error(`build did not produce ${file}`);
}, 180_000);

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

function cli(db: Database, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Result {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? app, env: envFor(db, options.env), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
  const result = spawnSync(process.execPath, [join(app, 'setup.js')], { cwd: app, env: envFor(db), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`setup failed: ${result.stderr}`);
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
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: envFor(db), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`creating an Article failed: ${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs one SQL statement on the app's database (through its own config, in a child process); returns the rows as JSON. */
function sql(db: Database, statement: string): string {
  const script = [
    `import config from ${JSON.stringify(join(app, 'mikro-orm.config.js'))};`,
    `import { MikroORM } from '@mikro-orm/core';`,
    `const orm = await MikroORM.init(config);`,
    `console.log(JSON.stringify(await orm.em.getConnection().execute(${JSON.stringify(statement)})));`,
    `await orm.close(true);`,
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: envFor(db), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${statement}: ${result.stderr}`);
  return result.stdout;
}

describeEachDatabase('CLI', db => {
  beforeAll(() => setup(db), 60_000);

  test('list --json: plugins in load order with versions, status and the entities each applies to; plugin types', () => {
    const out = json(cli(db, ['list', '--json']));
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

  test('list prints a table, without colour when stdout is not a terminal', () => {
    const result = cli(db, ['list']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/NAME\s+VERSION\s+STATUS\s+PRIORITY\s+ENTITIES\s+PACKAGE/);
    expect(result.stdout).toMatch(/timestamp\s+1\.0\.0\s+active\s.*\smikro-orm-plugins\n/);
    expect(result.stdout).toMatch(/notify\s+2\.0\.0\s+active/);
    expect(result.stdout).not.toContain('\u001b[');
    // FORCE_COLOR stands in for a terminal.
    expect(cli(db, ['list'], { env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
  });

  test('explain: the ordered chain with priority and the rule that placed each hook', () => {
    const out = json(cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json']));
    expect(out.chains).toHaveLength(1);
    expect(out.chains[0].hooks.map((h: any) => [h.plugin, h.method, h.priority, h.rule])).toEqual([
      ['timestamp', 'stampCreate', -100, 'priority'],
      ['permalink', 'fill', -10, 'priority'],
      // Priority -20 would run it before permalink; its `after: ['permalink']` holds it back.
      ['wordCount', 'count', -20, 'constraint'],
    ]);
    expect(out.chains[0].hooks[2].reason).toContain("wordCount declares after: ['permalink']");
    const text = cli(db, ['explain', 'Article', '--event', 'beforeCreate']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('3. wordCount.count [beforeSave]  priority -20  rule: constraint');
  });

  test('explain without an entity covers every entity and event; --format mermaid is a flowchart', () => {
    const all = json(cli(db, ['explain', '--format', 'json']));
    const pairs = all.chains.map((c: any) => `${c.entity}.${c.event}`);
    expect(pairs).toEqual(expect.arrayContaining(['Article.beforeCreate', 'Article.afterChange', 'Article.queryFilter', 'Author.beforeCreate', 'Author.afterChange']));
    const mermaid = cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--format', 'mermaid']);
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid.stdout).toContain('subgraph Article_beforeCreate["Article · beforeCreate"]');
    expect(mermaid.stdout).toContain('Article_beforeCreate_2 -->|constraint| Article_beforeCreate_3');
  });

  test('errors: unknown entity exits 1; a usage error exits 2 with the usage', () => {
    const unknown = cli(db, ['explain', 'Nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("'Nope' is not a discovered entity");
    const usage = cli(db, ['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
    expect(usage.stderr).toContain('Usage: mikro-orm-plugins');
    expect(cli(db, ['priority', 'notify', 'high']).status).toBe(2);
    expect(json(cli(db, ['explain', 'Nope', '--json']))).toMatchObject({ ok: false, error: { code: 'MOP_UNKNOWN_ENTITY' } });
  });

  test('misspelt names fail with a did-you-mean: an event, an entity, a plugin', () => {
    const event = cli(db, ['explain', 'Article', '--event', 'beforSave']);
    expect(event.status).toBe(1);
    expect(event.stderr).toContain("did you mean 'beforeSave'?");
    expect(json(cli(db, ['explain', '--event', 'beforSave', '--json']))).toMatchObject({ ok: false, error: { code: 'MOP_UNKNOWN_EVENT' } });
    const entity = cli(db, ['explain', 'Artcle']);
    expect(entity.status).toBe(1);
    expect(entity.stderr).toContain("did you mean 'Article'?");
    const plugin = cli(db, ['enable', 'permalnk']);
    expect(plugin.status).toBe(1);
    expect(plugin.stderr).toContain("did you mean 'permalink'?");
  });

  test('every command says on stderr which config it used; stdout stays the output', () => {
    for (const args of [['list'], ['explain', 'Article'], ['schema', 'notify'], ['doctor']]) {
      const result = cli(db, args);
      expect(result.stderr, args.join(' ')).toContain('config: mikro-orm.config.js');
      expect(result.stdout).not.toContain('config: ');
    }
    expect(json(cli(db, ['explain', 'Article', '--json'])).config).toBe(join(app, 'mikro-orm.config.js'));
  });

  test('sync, then enable/disable/priority change what explain shows; sync is idempotent and prunes unless --no-prune', () => {
    const first = json(cli(db, ['sync', '--json']));
    const again = json(cli(db, ['sync', '--json']));
    expect(first.inserted.length).toBeGreaterThan(10);
    expect(again).toMatchObject({ inserted: [], updated: [], pruned: [] });

    expect(cli(db, ['disable', 'permalink', '--entity', 'Article']).stdout).toContain('permalink on Article: disabled');
    expect(cli(db, ['priority', 'wordCount', '-200', '--entity', 'Article']).status).toBe(0);
    const chain = json(cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks;
    expect(chain.map((h: any) => `${h.plugin}:${h.priority}:${h.prioritySource}`)).toEqual(['wordCount:-200:stored', 'timestamp:-100:code']);
    const listed = json(cli(db, ['list', '--json'])).plugins.find((p: any) => p.name === 'permalink');
    expect(listed.entities[0]).toMatchObject({ entity: 'Article', status: 'disabled' });

    // `create` never overwrites an operator's change; `update` refreshes priorities from code.
    expect(json(cli(db, ['sync', '--json'])).updated).toEqual([]);
    expect(json(cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks[0].priority).toBe(-200);
    expect(json(cli(db, ['sync', '--mode', 'update', '--json'])).updated).toContain('wordCount @ Article');
    const updated = json(cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks;
    expect(updated.map((h: any) => `${h.plugin}:${h.priority}:${h.prioritySource}`)).toEqual(['timestamp:-100:code', 'wordCount:-20:code']);
    expect(cli(db, ['enable', 'permalink', '--entity', 'Article']).status).toBe(0);
    expect(json(cli(db, ['explain', 'Article', '--event', 'beforeCreate', '--json'])).chains[0].hooks).toHaveLength(3);

    // Plugin-type implementations are switched the same way.
    expect(cli(db, ['disable', 'OtpSender:sms']).status).toBe(0);
    const types = json(cli(db, ['list', '--json'])).types.find((t: any) => t.type === 'OtpSender').implementations;
    expect(types.find((i: any) => i.chosen).name).toBe('email');
    expect(cli(db, ['enable', 'OtpSender:sms']).status).toBe(0);

    // A stale row: kept by --no-prune, removed by a plain sync.
    sql(db, `insert into plugin_state (plugin, entity, status, updated_at) values ('ghost', '*', 'active', '2024-01-01 00:00:00')`);
    expect(json(cli(db, ['sync', '--no-prune', '--json'])).pruned).toEqual([]);
    expect(json(cli(db, ['sync', '--json'])).pruned).toEqual(['ghost']);
    const failing = cli(db, ['disable', 'ghost']);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("No plugin or implementation named 'ghost'");
  });

  test('operators switch the audit sink with the CLI: the next instance sends its records to the reserve one', () => {
    expect(cli(db, ['sync']).status).toBe(0);
    const before = createArticle(db, 'to the outbox');
    expect(before.stdout).toMatch(/outbox=\["create Article \d+"\]/);
    expect(before.stdout).not.toContain('[audit]');

    expect(cli(db, ['disable', 'AuditSink:outbox']).stdout).toContain('AuditSink:outbox: disabled');
    const sinks = json(cli(db, ['list', '--json'])).types.find((t: any) => t.type === 'AuditSink').implementations;
    expect(sinks.map((i: any) => [i.name, i.status, i.chosen])).toEqual([
      ['outbox', 'disabled', false],
      ['console', 'reserve', true],
    ]);
    const after = createArticle(db, 'to the console');
    expect(after.stdout).toContain('outbox=[]');
    expect(after.stdout).toMatch(/\[audit\] create Article \d+/);

    // Back to the outbox, by priority this time: the reserve one stays in reserve.
    expect(cli(db, ['enable', 'AuditSink:outbox']).status).toBe(0);
    expect(cli(db, ['priority', 'AuditSink:console', '1']).status).toBe(0);
    const again = createArticle(db, 'outbox again');
    expect(again.stdout).toMatch(/outbox=\["create Article \d+"\]/);
    expect(again.stdout).not.toContain('[audit]');
  });

  test('doctor lists every invalid option of every entity, naming entity, plugin and option, secrets as ***', () => {
    const config = join(app, 'misconfigured.config.js');
    expect(cli(db, ['sync']).status).toBe(0);
    const env = { OPS_APP_NOTIFY_KEY: 'Zq7!x' };
    // A normal start stops at the first bad option and points to doctor.
    const list = cli(db, ['list', '--config', config], { env });
    expect(list.status).toBe(1);
    expect(list.stderr).toContain('is invalid');
    expect(list.stderr).toContain('`mikro-orm-plugins doctor` lists every invalid option');

    const result = cli(db, ['doctor', '--json', '--config', config], { env });
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

    const text = cli(db, ['doctor', '--config', config], { env });
    expect(text.status).toBe(1);
    for (const f of invalid) expect(text.stdout).toContain(`FAIL options    ${f.message}`);
    expect(text.stdout).toContain('4 failure(s)');
    expect(list.stderr + result.stdout + text.stdout).not.toContain('Zq7!x');
  });

  test('doctor: health checks and connection tests pass, the unused registration is reported, exit 0', () => {
    const result = cli(db, ['doctor']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('notify: healthy');
    expect(result.stdout).toContain("notify: connection test passed with Article's options");
    expect(result.stdout).toContain('legacyExport is registered but no entity uses it');
    const report = json(cli(db, ['doctor', '--json']));
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f: any) => f.level === 'error')).toEqual([]);
  });

  test('doctor: a failing connection test, a disabled plugin and a missing column fail it with exit 1', () => {
    cli(db, ['sync']);
    expect(cli(db, ['disable', 'wordCount']).status).toBe(0);
    const result = cli(db, ['doctor', '--json'], { env: { OPS_APP_FAIL_CONNECTION: '1' } });
    expect(result.status).toBe(1);
    const report = json(result);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', check: 'connection', plugin: 'notify' }),
        expect.objectContaining({ level: 'warning', check: 'disabled', plugin: 'wordCount', message: 'wordCount is disabled' }),
      ]),
    );
    expect(cli(db, ['enable', 'wordCount']).status).toBe(0);
    // Drop a column a plugin added (timestamp's updated_at) behind the app's back.
    sql(db, 'alter table article drop column updated_at');
    const missing = json(cli(db, ['doctor', '--json']));
    expect(missing.ok).toBe(false);
    expect(missing.findings).toContainEqual(expect.objectContaining({ level: 'error', check: 'column', entity: 'Article', message: expect.stringContaining('updated_at') }));
    setup(db);
  });

  test('a planted secret appears in no output of list, explain, doctor, sync, schema or an error, nor in plugin_state', () => {
    const outputs: Result[] = [];
    const run = (args: string[], env?: Record<string, string>) => {
      const result = cli(db, args, { env });
      outputs.push(result);
      return result;
    };
    run(['sync']);
    for (const args of [['list'], ['list', '--json'], ['explain'], ['explain', '--json'], ['explain', '--format', 'mermaid'], ['doctor'], ['doctor', '--json'], ['sync', '--mode', 'update', '--json'], ['schema', 'notify']]) {
      run(args);
    }
    // The connection test's error quotes the key, as real provider clients do.
    const failed = run(['doctor'], { OPS_APP_FAIL_CONNECTION: '1' });
    expect(failed.stdout).toContain('invalid API key ***');
    // A secret that fails its own rule: the start-up error names the option, never the value.
    const bad = run(['list'], { OPS_APP_NOTIFY_KEY: 'Zq7!x' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("option 'apiKey' is invalid");
    expect(bad.stderr).toContain('received "***"');
    const badDoctor = run(['doctor', '--json'], { OPS_APP_NOTIFY_KEY: 'Zq7!x' });
    expect(badDoctor.status).toBe(1);
    const everything = outputs.map(o => o.stdout + o.stderr).join('\n');
    expect(everything).toContain('***');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('Zq7!x');

    const dump = sql(db, 'select * from plugin_state');
    expect(dump).toContain('notify');
    expect(dump).toContain('https://notify.example.test');
    expect(dump).not.toContain(SECRET);
  });

  test("finds the config as MikroORM's CLI does: --config, MIKRO_ORM_CLI_CONFIG, package.json configPaths; --context; not found", () => {
    const elsewhere = join(tmp, `${db.name}-elsewhere`);
    mkdirSync(elsewhere, { recursive: true });
    // MikroORM's loader wants @mikro-orm/cli among the app's own dependencies.
    const withCli = { name: 'elsewhere', devDependencies: { '@mikro-orm/cli': '*' } };
    writeFileSync(join(elsewhere, 'package.json'), JSON.stringify(withCli));
    const config = join(app, 'mikro-orm.config.js');
    const notFound = cli(db, ['list'], { cwd: elsewhere });
    expect(notFound.status).toBe(1);
    expect(notFound.stderr).toContain('MikroORM config file not found in');
    expect(notFound.stderr).toContain('./mikro-orm.config.js');
    const explicit = cli(db, ['list', '--json', '--config', config], { cwd: elsewhere });
    expect(json(explicit).config, explicit.stdout + explicit.stderr).toBe(config);
    expect(json(cli(db, ['list', '--json'], { cwd: elsewhere, env: { MIKRO_ORM_CLI_CONFIG: config } })).config).toBe(config);
    writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ ...withCli, 'mikro-orm': { configPaths: [config] } }));
    mkdirSync(join(elsewhere, 'sub'), { recursive: true });
    expect(json(cli(db, ['list', '--json'], { cwd: join(elsewhere, 'sub') })).config).toBe(config);
    const context = cli(db, ['list', '--context', 'reporting'], { cwd: elsewhere });
    expect(context.status).toBe(1);
    expect(context.stderr).toContain("MikroORM config 'reporting' was not what the default export");
  });

  test('schema <plugin> prints the options as JSON Schema', () => {
    const schema = json(cli(db, ['schema', 'notify']));
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
    const result = cli(sqlite, ['explain', 'TsMemo', '--json'], { cwd: project });
    expect(result.stderr).toContain('config: src/mikro-orm.config.ts');
    const out = json(result);
    expect(out.config).toBe(join(project, 'src/mikro-orm.config.ts'));
    expect(out.chains.map((c: { event: string }) => c.event)).toContain('beforeCreate');
  });

  test('an app without pluginOperations(): doctor does not send it to `sync`, and the state commands say what to add', () => {
    const doctor = cli(sqlite, ['doctor'], { cwd: project });
    // (It fails on the missing table: the config's database is in memory.)
    expect(doctor.stdout, doctor.stderr).toContain('ok   state      no stored plugin state: the app does not use pluginOperations()');
    expect(doctor.stdout).not.toContain('sync');
    for (const args of [['sync'], ['enable', 'timestamp'], ['priority', 'timestamp', '5']]) {
      const result = cli(sqlite, args, { cwd: project });
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
    const stale = cli(sqlite, ['explain', 'JsMemo'], { cwd: project, env: { MIKRO_ORM_CLI_PREFER_TS: '0' } });
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('config: dist/mikro-orm.config.js');
    expect(stale.stderr).toMatch(/warning: dist\/mikro-orm\.config\.js is older than src\/mikro-orm\.config\.ts/);
    // Rebuilt (newer than its source): no warning.
    const now = new Date();
    utimesSync(join(project, 'dist/mikro-orm.config.js'), now, now);
    expect(cli(sqlite, ['explain', 'JsMemo'], { cwd: project, env: { MIKRO_ORM_CLI_PREFER_TS: '0' } }).stderr).not.toContain('warning');
  });
});
