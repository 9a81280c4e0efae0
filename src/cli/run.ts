import { parseArgs } from 'node:util';
import { relative } from 'node:path';
// The whole package first, as the application loads it, before its config is read.
import '../index.js';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import { messageOf } from '../registry/plugin-meta.js';
import { inspectionOperations, setOperationsCliMode } from '../operations/extension.js';
import { explainChains } from '../operations/explain.js';
import { formatExplainMermaid, formatExplainText } from '../operations/explain-format.js';
import { doctorConfig } from '../operations/doctor-config.js';
import { listPlugins } from '../operations/list-plugins.js';
import { secretsOf } from '../operations/masked-options.js';
import { secretCollector } from '../operations/secret-collector.js';
import { optionsJsonSchema } from '../operations/options-json-schema.js';
import { setPluginPriority, setPluginStatus, syncPluginState } from '../operations/plugin-state.js';
import { STATUSES, type PluginStatus } from '../operations/state/entities.js';
import { loadMikroOrmConfig, type LoadedConfig } from './load-config.js';
import { Output } from './output.js';
import { paintStatus, printFindings, printInventory } from './print.js';

export const USAGE = `Usage: mikro-orm-plugins <command> [options]

Commands:
  list                                    plugins, versions, status and the entities each applies to; plugin types
  explain [Entity] [--event e] [--format text|json|mermaid]
                                          the ordered chain per entity and event, with the rule that placed each hook
  doctor                                  health checks, connection tests, every invalid option of every
                                          entity, missing columns, disabled plugins, unused registrations;
                                          exits 1 on a failure
  sync [--mode create|update] [--no-prune]
                                          bring plugin_state in line with the code
  enable <plugin> [--entity E]            status active (a plugin, or a plugin-type implementation Type:name)
  disable <plugin> [--entity E]           status disabled
  reserve <plugin> [--entity E]           status reserve
  priority <plugin> <n|default> [--entity E]
                                          replace the plugin's hook priorities (default: back to the code's)
  schema <plugin>                         the plugin's options as JSON Schema

Options:
  --config <path>     the MikroORM config; else found by MikroORM's own CLI loader (@mikro-orm/cli), as
                      \`mikro-orm\` finds it: MIKRO_ORM_CLI_CONFIG, package.json "mikro-orm".configPaths,
                      ./src/mikro-orm.config.ts (with a TypeScript loader), ./dist/mikro-orm.config.js, …
                      Every command prints the file it used on stderr.
  --context <name>    the config's contextName (else MIKRO_ORM_CONTEXT_NAME, else default)
  --json              machine-readable output (every command)
  --no-color          no colour (colour is used only on a terminal; NO_COLOR works too)
  -h, --help          this help`;

const COMMANDS = new Set(['list', 'explain', 'doctor', 'sync', 'enable', 'disable', 'reserve', 'priority', 'schema']);

class UsageError extends Error {}

export interface RunContext {
  out?: Output;
}

/** Runs one CLI command; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function run(argv: readonly string[], context: RunContext = {}): Promise<number> {
  // A negative number is a value (`priority slug -5`), not an option.
  const NEG = '\u0000';
  const args = argv.map(a => (/^-\d+$/.test(a) ? NEG + a : a));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
      options: {
        config: { type: 'string' },
        context: { type: 'string' },
        json: { type: 'boolean', default: false },
        color: { type: 'boolean', default: true },
        format: { type: 'string' },
        event: { type: 'string' },
        entity: { type: 'string' },
        mode: { type: 'string' },
        prune: { type: 'boolean', default: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    const out = context.out ?? new Output();
    out.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  const positionals = parsed.positionals.map(p => (p.startsWith(NEG) ? p.slice(1) : p));
  const out = context.out ?? new Output(process.stdout, process.stderr, values.color === false);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out.line(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const json = values.json === true || values.format === 'json';
  const fail = (error: unknown, code = 1) => {
    const message = messageOf(error);
    // A start stops at the first invalid option; doctor starts the app for inspection and lists them all.
    const hint = error instanceof UsageError ? `\n\n${USAGE}` : (error as PluginError)?.code === 'MOP_INVALID_OPTIONS' ? '\n(`mikro-orm-plugins doctor` lists every invalid option)' : '';
    if (json) out.json({ ok: false, error: { code: (error as PluginError)?.code ?? (error instanceof UsageError ? 'USAGE' : 'ERROR'), message } });
    else out.error(`${out.paint('red', 'error')}: ${message}${hint}`);
    return code;
  };
  let orm: MikroORM | undefined;
  try {
    if (!COMMANDS.has(command)) throw new UsageError(`unknown command '${command}'`);
    checkArguments(command, rest, values);
    const found = await loadMikroOrmConfig({ config: values.config, contextName: values.context });
    reportConfig(out, found);
    if (command === 'doctor') {
      // Started for inspection: every entity's invalid options are reported, where a normal start stops at the first.
      const report = await doctorConfig(prepare(found.options), { onProgress: step => out.progress(step) }).finally(() => out.progress(undefined));
      if (json) out.json({ config: found.path ?? null, ...report });
      else printFindings(out, report.findings);
      return report.ok ? 0 : 1;
    }
    setOperationsCliMode(true);
    const prepared = prepare(found.options);
    // Known before the ORM exists: a plugin's start-up error may quote them.
    prepared.extensions = [...(prepared.extensions ?? []), secretCollector(secrets => out.addSecrets(secrets))] as Options['extensions'];
    orm = await MikroORM.init(prepared);
    out.addSecrets(secretsOf(orm));
    return await execute(command, rest, values, orm, out, json, found.path ?? null);
  } catch (error) {
    return fail(error, error instanceof UsageError ? 2 : 1);
  } finally {
    setOperationsCliMode(false);
    await orm?.close(true).catch(() => undefined);
  }
}

type Values = { [key: string]: string | boolean | undefined };

/** On stderr, so that stdout stays what the command prints: the config used, and a stale build. */
function reportConfig(out: Output, found: LoadedConfig): void {
  const shown = (path: string) => relative(process.cwd(), path) || path;
  out.error(out.paint('dim', `config: ${found.path === undefined ? 'MIKRO_ORM_* environment variables' : shown(found.path)}`));
  if (found.stale !== undefined && found.path !== undefined) {
    out.error(
      `${out.paint('yellow', 'warning')}: ${shown(found.path)} is older than ${shown(found.stale)}, which changed after the build: ` +
        'rebuild, or let MikroORM load the TypeScript file (install a TypeScript loader such as tsx), or pass --config',
    );
  }
}

function checkArguments(command: string, rest: string[], values: Values): void {
  const want = { list: [0, 0], explain: [0, 1], doctor: [0, 0], sync: [0, 0], enable: [1, 1], disable: [1, 1], reserve: [1, 1], priority: [2, 2], schema: [1, 1] }[command]!;
  if (rest.length < want[0]! || rest.length > want[1]!) throw new UsageError(`'${command}' takes ${want[0] === want[1] ? want[0] : `${want[0]} to ${want[1]}`} argument(s), got ${rest.length}`);
  if (values.format !== undefined && !['text', 'json', 'mermaid'].includes(values.format as string)) throw new UsageError(`--format must be text, json or mermaid`);
  if (values.mode !== undefined && !['create', 'update'].includes(values.mode as string)) throw new UsageError(`--mode must be create or update`);
  if (command === 'priority' && !/^-?\d+$/.test(rest[1]!) && rest[1] !== 'default') throw new UsageError(`priority must be an integer or 'default', got '${rest[1]}'`);
}

/** The app's options, made fit for inspection: the plugin system must be there; the operations extension is added when missing. */
function prepare(options: Options): Options {
  const extensions = [...((options.extensions ?? []) as { name?: string }[])];
  if (!extensions.some(e => e?.name === 'mikro-orm-plugins')) {
    throw new PluginError('MOP_NOT_INSTALLED', 'the MikroORM config has no pluginSystem() in `extensions`');
  }
  if (!extensions.some(e => e?.name === 'mikro-orm-plugins:operations')) extensions.push(inspectionOperations());
  return { ...options, extensions: extensions as Options['extensions'], allowGlobalContext: true, debug: false };
}

async function execute(command: string, rest: string[], values: Values, orm: MikroORM, out: Output, json: boolean, configPath: string | null): Promise<number> {
  const entity = values.entity as string | undefined;
  switch (command) {
    case 'list': {
      const inventory = listPlugins(orm);
      if (json) out.json({ ok: true, config: configPath, ...inventory });
      else printInventory(out, inventory);
      return 0;
    }
    case 'explain': {
      const chains = explainChains(orm, { entity: rest[0], event: values.event as string | undefined });
      const format = json ? 'json' : ((values.format as string | undefined) ?? 'text');
      if (format === 'json') out.json({ ok: true, config: configPath, chains });
      else if (format === 'mermaid') out.line(formatExplainMermaid(chains));
      else out.line(formatExplainText(chains));
      return 0;
    }
    case 'sync': {
      const mode = (values.mode as 'create' | 'update' | undefined) ?? 'create';
      const report = await syncPluginState(orm, { mode, prune: values.prune !== false, onProgress: step => out.progress(step) }).finally(() => out.progress(undefined));
      if (json) out.json({ ok: true, config: configPath, ...report });
      else {
        const total = report.inserted.length + report.updated.length + report.pruned.length;
        if (total === 0) out.line('plugin_state already in line with the code: nothing to do');
        for (const [what, list] of [['inserted', report.inserted], ['updated', report.updated], ['pruned', report.pruned]] as const) {
          if (list.length > 0) out.line(`${out.paint('green', what)} ${list.length}: ${list.join(', ')}`);
        }
      }
      return 0;
    }
    case 'enable':
    case 'disable':
    case 'reserve': {
      const status: PluginStatus = command === 'enable' ? 'active' : command === 'disable' ? 'disabled' : 'reserve';
      if (!STATUSES.includes(status)) throw new UsageError(`unknown status ${status}`);
      const row = await setPluginStatus(orm, rest[0]!, status, { entity });
      if (json) out.json({ ok: true, config: configPath, row });
      else out.line(`${row.plugin}${row.entity === '*' ? '' : ` on ${row.entity}`}: ${paintStatus(out, row.status)}`);
      return 0;
    }
    case 'priority': {
      const value = rest[1] === 'default' ? null : Number(rest[1]);
      const row = await setPluginPriority(orm, rest[0]!, value, { entity });
      if (json) out.json({ ok: true, config: configPath, row });
      else out.line(`${row.plugin}${row.entity === '*' ? '' : ` on ${row.entity}`}: priority ${row.priority ?? 'from code'}`);
      return 0;
    }
    case 'schema': {
      out.json(optionsJsonSchema(orm, rest[0]!));
      return 0;
    }
  }
  return 2;
}
