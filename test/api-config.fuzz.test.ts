// Fuzz, part 3: what arrives from outside the code: plugin config objects and files (JSON and
// modules with arbitrary contents), and the CLI's arguments (its `run`, in-process). A config that
// fails to load is a `PluginError` with a declared code; a CLI run exits 0, 1 or 2, and with --json
// reports a declared code (or USAGE) and never an unclassified ERROR; a failed run wrote nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Output } from '../src/cli/output.js';
import { run } from '../src/cli/run.js';
import { errorCodeInfo, pluginSystem, PluginRegistry, TimestampPlugin } from '../src/index.js';
import { loadPluginConfig, pluginOperations } from '../src/operations/index.js';
import { argument, describeError, fuzzEntry, newTally, reportTally } from './support/fuzz.js';

const tally = newTally();
const root = resolve(import.meta.dirname, '..');
// Inside the checkout, so that module configs resolve the project's node_modules.
mkdirSync(join(root, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.tmp', 'api-config-fuzz-'));
const fixtures = join(import.meta.dirname, 'ops-fixtures/app');
let written = 0;

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  reportTally('api-config.fuzz', tally);
});

// Specifiers near and far from valid: fixture plugins, a named export, a module that throws, missing ones.
const specifier = fc.oneof(
  fc.constantFrom(
    join(fixtures, 'plugins/alpha.ts'),
    `${join(fixtures, 'plugins/alpha.ts')}#AlphaPlugin`,
    `${join(fixtures, 'plugins/alpha.ts')}#Nope`,
    join(fixtures, 'extra/zeta.ts'),
    join(fixtures, 'broken/throws.ts'),
    './missing.mjs',
    'no-such-package-mop',
    '#',
    '',
    fixtures,
  ),
  argument(fc.string()),
);
const pluginsValue = fc.oneof(
  fc.array(specifier, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('dir', 'late', 'again', '__proto__', 'constructor'), fc.oneof(fc.array(specifier, { maxLength: 2 }), specifier, fc.constantFrom(join(fixtures, 'plugins'), join(fixtures, 'nope'), [join(fixtures, 'plugins')])), { maxKeys: 3 }),
  argument(),
);
const configObject = fc.oneof(fc.record({ plugins: pluginsValue }, { requiredKeys: [] }), argument());

test('loadPluginConfig with arbitrary options and config objects: typed errors only', async () => {
  await fuzzEntry(
    {
      name: 'loadPluginConfig({ config })',
      args: fc.tuple(configObject, argument(fc.constant(scratch)), argument(fc.constant(null).map(() => new PluginRegistry()))),
      call: ([config, cwd, registry]) => loadPluginConfig({ cwd: cwd as never, config: config as never, registry: registry as never }),
    },
    250,
    tally,
  );
  await fuzzEntry(
    { name: 'loadPluginConfig(options)', args: fc.tuple(argument(fc.record({ cwd: argument(fc.constant(scratch)), file: argument(fc.constantFrom('x.json', join(fixtures, 'plugins.json'))) }, { requiredKeys: [] }))), call: ([options]) => loadPluginConfig(options as never) },
    150,
    tally,
  );
  expect([...tally.untyped.keys()].filter(name => name.startsWith('loadPluginConfig'))).toEqual([]);
});

/** JSON text, or a module's source, with arbitrary contents: valid JSON shapes, broken text, odd exports. */
const jsonText = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map(v => JSON.stringify(v)), configObject.map(v => safeJson(v)), fc.string(), fc.constantFrom('', '{', '[1, 2', 'null', '{"plugins": {"dir": 42}}'));
const moduleText = fc.oneof(
  jsonText.map(text => `export default ${text || 'undefined'};`),
  fc.constantFrom('export default undefined;', 'export const x = 1;', 'throw new Error("config boom");', 'export default () => ({ plugins: [] });', 'export default Promise.resolve({ plugins: [] });', 'export default { get plugins() { throw new TypeError("getter"); } };', 'syntax error here', 'export default new Proxy({}, { ownKeys() { throw new RangeError("keys"); } });'),
);

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

test('config files with arbitrary contents: typed errors only', async () => {
  await fuzzEntry(
    {
      name: 'loadPluginConfig({ file })',
      args: fc.tuple(fc.constantFrom('json', 'mjs'), fc.oneof(jsonText, moduleText)),
      call: ([ext, text]) => {
        // A new name each time: modules are cached by URL.
        const file = `config-${written++}.${ext as string}`;
        writeFileSync(join(scratch, file), text as string);
        return loadPluginConfig({ cwd: scratch, file, registry: new PluginRegistry() });
      },
    },
    250,
    tally,
  );
  expect([...tally.untyped.keys()].filter(name => name.startsWith('loadPluginConfig({ file'))).toEqual([]);
});

// The CLI, on an app of its own: SQLite in a file, the plugin state created and synced.
const app = join(scratch, 'cli-app');
const dbName = join(app, 'db.sqlite');
const Thing = new EntitySchema({ name: 'FuzzThing', properties: { id: { type: 'integer', primary: true }, title: { type: 'string', nullable: true } } });
const appOptions = (): Options => ({
  driver: SqliteDriver,
  dbName,
  entities: [Thing],
  extensions: [pluginSystem({ registry: new PluginRegistry().register(TimestampPlugin), global: ['timestamp'] }), pluginOperations({ state: { pollInterval: false } })],
}) as unknown as Options;
let reader: MikroORM;

beforeAll(async () => {
  mkdirSync(app, { recursive: true });
  // The config is a function, so each run builds fresh extensions.
  (globalThis as { __mopFuzzApp?: () => Options }).__mopFuzzApp = appOptions;
  writeFileSync(join(app, 'mikro-orm.config.mjs'), 'export default () => globalThis.__mopFuzzApp();\n');
  reader = await MikroORM.init({ ...appOptions(), allowGlobalContext: true });
  await reader.schema.create();
});
afterAll(() => reader?.close(true));

async function appRows(): Promise<string> {
  const connection = reader.em.getConnection();
  const tables = await connection.execute<{ name: string }[]>("select name from sqlite_master where type = 'table' order by name");
  return JSON.stringify(await Promise.all(tables.map((t: { name: string }) => connection.execute(`select * from "${t.name}"`))));
}

const command = fc.constantFrom('list', 'explain', 'doctor', 'sync', 'enable', 'disable', 'reserve', 'priority', 'schema', 'help', 'nope', '');
const word = fc.oneof(
  fc.constantFrom('timestamp', 'FuzzThing', 'Nope', 'default', '5', '-5', '99999999999', '1.5', 'beforeCreate', 'text', 'json', 'mermaid', 'create', 'update', 'AuditSink:table', '--', '-', '=', '--json', '--no-color', '--no-prune', '-h', '--help', '--entity', '--event', '--format', '--mode', '--context', '--unknown', '--config'),
  fc.string({ maxLength: 8 }),
);

test('the CLI with arbitrary arguments: exit 0, 1 or 2, a declared code with --json, nothing written on failure', async () => {
  let before = await appRows();
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(command, fc.array(word, { maxLength: 4 }), fc.boolean(), async (cmd, rest, json) => {
      cases++;
      let stdout = '';
      const sink = (append: (s: string) => void) => ({ write: (s: string) => (append(s), true), isTTY: false }) as never;
      const out = new Output(sink(s => (stdout += s)), sink(() => undefined), true);
      const argv = [...(cmd === '' ? [] : [cmd]), ...rest, ...(json ? ['--json'] : []), '--config', join(app, 'mikro-orm.config.mjs')];
      let code: number;
      try {
        code = await run(argv, { out });
      } catch (error) {
        tally.untyped.set('cli run', `${describeError(error)}\n  argv: ${JSON.stringify(argv)}`);
        throw error;
      }
      expect([0, 1, 2], JSON.stringify(argv)).toContain(code);
      if (json && code === 1 && stdout.trim().startsWith('{')) {
        const reported = JSON.parse(stdout).error?.code;
        if (reported !== undefined && reported !== 'USAGE' && errorCodeInfo(reported) === undefined && !tally.untyped.has('cli run')) {
          tally.untyped.set('cli run', `exit 1 with code ${reported}: ${stdout.slice(0, 300)}\n  argv: ${JSON.stringify(argv)}`);
        }
      }
      const after = await appRows();
      if (code !== 0) expect(after, `${JSON.stringify(argv)} failed and wrote`).toBe(before);
      before = after;
    }),
    { numRuns: 150 },
  );
  tally.cases += cases;
  expect(tally.untyped.get('cli run')).toBeUndefined();
}, 120_000);
