import { ReferenceKind, type EntityManager, type EntityMetadata, type MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { PluginConfigError, type PluginError, type PluginErrorCode } from '../errors.js';
import type { HealthCheckResult, Plugin } from '../plugin-api.js';
import { AuditPlugin } from '../plugins/audit/index.js';
import { SoftDeletePlugin } from '../plugins/soft-delete/index.js';
import { TimestampPlugin } from '../plugins/timestamp.js';
import { ValidationPlugin } from '../plugins/validation/index.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';
import { findOperations } from './extension.js';
import { maskOptions, scrub, secretValues, stripSecrets, toJsonSchema, type JsonSchema } from './option-schema.js';
import { GLOBAL, type PluginStatus } from './state/entities.js';
import { startupInspectionOf, type StartupInspection } from './startup-inspection.js';
import { jsonSafe } from './state/store.js';

const BUILT_IN = new Set<Function>([TimestampPlugin, SoftDeletePlugin, ValidationPlugin, AuditPlugin]);

/**
 * @internal Called by the package index once its built-in plugins have registered (index order), so plugins
 * that land later (the cache plugin…) count as built in too: `doctor` never calls them unused.
 */
export function recordBuiltInPlugins(registry: PluginRegistry): void {
  for (const name of registry.names()) BUILT_IN.add(registry.definition(name)!.pluginClass);
}

export interface EntityUse {
  readonly entity: string;
  /** Effective status on this entity (registry, then stored state). */
  readonly status: PluginStatus;
  /** The stored priority replacing the hook priorities, or null. */
  readonly priority: number | null;
  /** Options with secrets shown as `***`. */
  readonly options: unknown;
}

export interface PluginListing {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Effective status for the plugin as a whole: `disabled` when the registry disabled it, else the stored `*` row, else `active`. */
  readonly status: PluginStatus;
  readonly statusSource: 'code' | 'registry' | 'stored';
  readonly priority: number | null;
  readonly builtIn: boolean;
  readonly hooks: readonly { event: string; method: string; priority: number }[];
  readonly entities: readonly EntityUse[];
}

export interface ImplementationListing {
  readonly name: string;
  readonly key: string;
  readonly status: PluginStatus;
  readonly priority: number;
  readonly chosen: boolean;
}

export interface TypeListing {
  readonly type: string;
  readonly methods: readonly string[];
  readonly implementations: readonly ImplementationListing[];
}

export interface PluginInventory {
  readonly plugins: readonly PluginListing[];
  readonly types: readonly TypeListing[];
  readonly state: { readonly installed: boolean; readonly available: boolean; readonly version: number | null; readonly rows: number };
}

/** What `list` prints: plugins, versions, status and the entities each applies to; plugin types and their implementations. */
export function listPlugins(ormOrEm: MikroORM | EntityManager): PluginInventory {
  const runtime = runtimeOf(ormOrEm);
  const ops = findOperations(ormOrEm);
  const store = ops?.store;
  const registry = runtime.registry;
  const attachments = runtime.attachments();
  const plugins = registry.names().map((name): PluginListing => {
    const definition = registry.definition(name)!;
    const enabled = registry.isEnabled(name);
    const stored = store?.status(name, GLOBAL);
    const entities: EntityUse[] = [];
    for (const [entity, list] of [...attachments].sort(([a], [b]) => a.localeCompare(b))) {
      const use = list.find(p => p.plugin === name);
      if (!use) continue;
      entities.push({
        entity,
        status: !enabled ? 'disabled' : (store?.status(name, entity) ?? 'active'),
        priority: store?.priority(name, entity) ?? null,
        options: jsonSafe(maskOptions(definition.options, use.options)),
      });
    }
    return {
      name,
      version: definition.version,
      description: definition.description,
      status: !enabled ? 'disabled' : (stored ?? 'active'),
      statusSource: !enabled ? 'registry' : stored ? 'stored' : 'code',
      priority: store?.priority(name, GLOBAL) ?? null,
      builtIn: BUILT_IN.has(definition.pluginClass),
      hooks: definition.hooks.map(h => ({ event: h.event, method: String(h.method), priority: h.priority })),
      entities,
    };
  });
  // A type nothing implements has nothing to show or switch (the package's own AuditSink type, in an app without sinks).
  const types = (ops?.types() ?? []).filter(type => type.implementations().length > 0).map((type): TypeListing => {
    let chosen: string | undefined;
    try {
      chosen = type.chosen(store)?.key;
    } catch {
      // A custom selector that throws: nothing is marked chosen.
      chosen = undefined;
    }
    return {
      type: type.name,
      methods: type.methods,
      // By key, not by instance: reading `implementation` would instantiate every class implementation.
      implementations: type.implementations(store).map(i => ({ name: i.name, key: i.key, status: i.status, priority: i.priority, chosen: i.key === chosen })),
    };
  });
  return {
    plugins,
    types,
    state: { installed: store !== undefined, available: store?.available ?? false, version: store?.version ?? null, rows: store?.rows().length ?? 0 },
  };
}

/** The JSON Schema of a registered plugin's options (`fields`), for a form. */
export function optionsJsonSchema(ormOrEm: MikroORM | EntityManager, plugin: string): JsonSchema {
  const definition = runtimeOf(ormOrEm).registry.definition(plugin);
  if (!definition) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${plugin}' is registered`, { plugin });
  return toJsonSchema(definition.options, { name: plugin, description: definition.description });
}

/** Every secret option value this ORM's plugins were given: what the CLI scrubs from everything it prints. */
export function secretsOf(ormOrEm: MikroORM | EntityManager): string[] {
  const runtime = runtimeOf(ormOrEm);
  const secrets: string[] = [];
  for (const list of runtime.attachments().values()) {
    for (const { plugin, options } of list) secrets.push(...secretValues(runtime.registry.definition(plugin)?.options, options));
  }
  return [...new Set(secrets)];
}

export type FindingLevel = 'error' | 'warning' | 'ok';
export type FindingCheck = 'startup' | 'health' | 'connection' | 'options' | 'column' | 'disabled' | 'unused' | 'state';

export interface DoctorFinding {
  readonly level: FindingLevel;
  readonly check: FindingCheck;
  readonly plugin?: string;
  readonly entity?: string;
  /** The option at fault (dotted path, `''` for the whole options object), for an invalid option. */
  readonly option?: string;
  /** The error code start-up would have thrown, for a start-up problem. */
  readonly code?: PluginErrorCode;
  readonly message: string;
}

export interface DoctorReport {
  /** No finding at level `error`. */
  readonly ok: boolean;
  readonly findings: readonly DoctorFinding[];
}

export interface DoctorOptions {
  /** Milliseconds each health check and connection test may take. Default 10000. */
  timeout?: number;
}

/**
 * Health checks, connection tests, every entity's options, the columns each entity needs, disabled
 * plugins, unused registrations and the stored state. Secret values never appear in a message.
 */
export async function doctor(orm: MikroORM, options: DoctorOptions = {}): Promise<DoctorReport> {
  const runtime = runtimeOf(orm);
  const registry = runtime.registry;
  const store = findOperations(orm)?.store;
  const attachments = runtime.attachments();
  const inspection = startupInspectionOf(orm);
  const secrets = [...secretsOf(orm), ...(inspection?.secrets ?? [])];
  const timeout = options.timeout ?? 10_000;
  const findings: DoctorFinding[] = [];
  const add = (finding: DoctorFinding) => findings.push({ ...finding, message: scrub(finding.message, secrets) });

  // Health checks and connection tests.
  for (const name of registry.names()) {
    if (!registry.isEnabled(name) || store?.status(name, GLOBAL) === 'disabled') continue;
    const instance = runtime.instanceOf(name) as Plugin;
    if (typeof instance.healthCheck === 'function') {
      const result = await runCheck(() => instance.healthCheck!(), timeout);
      add({ level: result.ok ? 'ok' : 'error', check: 'health', plugin: name, message: result.ok ? `${name}: healthy${result.message ? ` (${result.message})` : ''}` : `${name}: health check failed: ${result.message}` });
    }
    if (typeof instance.testConnection === 'function') {
      const tested = new Set<string>();
      for (const [entity, list] of attachments) {
        const use = list.find(p => p.plugin === name);
        if (!use) continue;
        const key = JSON.stringify(jsonSafe(use.options));
        if (tested.has(key)) continue;
        tested.add(key);
        const result = await runCheck(() => instance.testConnection!(use.options), timeout);
        add({
          level: result.ok ? 'ok' : 'error',
          check: 'connection',
          plugin: name,
          entity,
          message: result.ok ? `${name}: connection test passed with ${entity}'s options` : `${name}: connection test failed with ${entity}'s options: ${result.message}`,
        });
      }
    }
  }

  // Options: every start-up problem, when the ORM was started for inspection (`doctorConfig`, the CLI); a normal start throws the first.
  const invalid = startupFindings(inspection);
  for (const finding of invalid) add(finding);
  // Then drift from the stored copy.
  for (const [entity, list] of attachments) {
    for (const { plugin, options: given } of list) {
      const row = store?.row(plugin, entity);
      if (!row || !store?.available) continue;
      const current = jsonSafe(stripSecrets(registry.definition(plugin)?.options, given));
      if (JSON.stringify(canonical(current)) !== JSON.stringify(canonical(row.options))) {
        add({ level: 'warning', check: 'options', plugin, entity, message: `${entity}: ${plugin}'s stored options differ from the code's; run \`sync --mode update\`` });
      }
    }
  }
  const optionCount = [...attachments.values()].reduce((n, l) => n + l.length, 0);
  if (invalid.length === 0) {
    add({ level: 'ok', check: 'options', message: `${optionCount} plugin option set${optionCount === 1 ? '' : 's'} on ${attachments.size} entit${attachments.size === 1 ? 'y' : 'ies'} valid` });
  }

  // Columns: every column an entity with plugins maps (plugins add theirs at discovery) must exist.
  const em = orm.em.fork();
  for (const entity of [...attachments.keys()].sort()) {
    const meta = em.getMetadata().getByClassName(entity, false);
    if (!meta || meta.virtual || meta.embeddable) continue;
    const missing = await missingColumns(em, meta);
    if (missing === 'table') add({ level: 'error', check: 'column', entity, message: `${entity}: table '${meta.tableName}' does not exist` });
    else if (missing.length > 0) {
      add({ level: 'error', check: 'column', entity, message: `${entity}: table '${meta.tableName}' is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (run your migrations)` });
    }
  }

  // Disabled plugins, per plugin and per entity.
  for (const name of registry.names()) {
    const status = !registry.isEnabled(name) ? 'disabled' : store?.status(name, GLOBAL);
    if (status && status !== 'active') add({ level: 'warning', check: 'disabled', plugin: name, message: `${name} is ${status}${!registry.isEnabled(name) ? ' in the registry' : ''}` });
    else {
      for (const [entity, list] of attachments) {
        if (!list.some(p => p.plugin === name)) continue;
        const own = store?.row(name, entity)?.status;
        if (own && own !== 'active') add({ level: 'warning', check: 'disabled', plugin: name, entity, message: `${name} is ${own} on ${entity}` });
      }
    }
  }

  // Unused registrations: registered, used by no entity, no lifecycle, not built in.
  // A plugin named by an entity whose options are invalid is in use, though not attached.
  const used = new Set([...attachments.values()].flatMap(l => l.map(p => p.plugin)).concat([...(inspection?.namedPlugins() ?? [])]));
  for (const name of registry.names()) {
    const definition = registry.definition(name)!;
    if (used.has(name) || BUILT_IN.has(definition.pluginClass)) continue;
    const proto = definition.pluginClass.prototype as Plugin;
    if (typeof proto.onLoad === 'function' || typeof proto.healthCheck === 'function') continue;
    add({ level: 'warning', check: 'unused', plugin: name, message: `${name} is registered but no entity uses it` });
  }

  // The stored state.
  if (store) {
    if (!store.available) add({ level: 'warning', check: 'state', message: 'the plugin_state table does not exist: create it (migrations or schema update), then run `sync`' });
    else {
      const known = new Set<string>(registry.names());
      for (const type of findOperations(orm)?.types() ?? []) for (const impl of type.implementations()) known.add(impl.key);
      const attached = (r: { plugin: string; entity: string }) => attachments.get(r.entity)?.some(p => p.plugin === r.plugin) || inspection?.names(r.entity, r.plugin);
      const stale = store.rows().filter(r => !known.has(r.plugin) || (r.entity !== GLOBAL && !attached(r)));
      if (stale.length > 0) add({ level: 'warning', check: 'state', message: `${stale.length} stored row(s) for plugins that no longer exist: ${stale.map(r => (r.entity === GLOBAL ? r.plugin : `${r.plugin} @ ${r.entity}`)).join(', ')}; run \`sync\` (it prunes)` });
      const missing = registry.names().filter(n => !store.row(n, GLOBAL));
      if (missing.length > 0) add({ level: 'warning', check: 'state', message: `no stored row for ${missing.join(', ')}; run \`sync\`` });
      if (stale.length === 0 && missing.length === 0) add({ level: 'ok', check: 'state', message: `plugin_state in line with the code (${store.rows().length} rows, version ${store.version})` });
    }
  }
  return { ok: !findings.some(f => f.level === 'error'), findings };
}

/** One finding per start-up problem the inspection collected: entity, plugin and option named, secrets already masked. */
export function startupFindings(inspection: StartupInspection | undefined): DoctorFinding[] {
  return (inspection?.errors ?? []).map(error => startupFinding(error, error.code === 'MOP_INVALID_OPTIONS' ? 'options' : 'startup'));
}

/** A start-up error as a finding; the message without its `[code]` prefix (the code has a field of its own). */
export function startupFinding(error: PluginError, check: FindingCheck, prefix = ''): DoctorFinding {
  const message = prefix + error.message.replace(/^\[[A-Z_]+\] /, '');
  return {
    level: 'error',
    check,
    code: error.code,
    ...(error.entity !== undefined ? { entity: error.entity } : {}),
    ...(error.plugin !== undefined ? { plugin: error.plugin } : {}),
    ...(error.option !== undefined ? { option: error.option } : {}),
    message,
  };
}

async function runCheck(check: () => HealthCheckResult | Promise<HealthCheckResult>, timeout: number): Promise<{ ok: boolean; message: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = await Promise.race([
      Promise.resolve().then(check),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout);
      }),
    ]);
    if (result === false) return { ok: false, message: 'returned false' };
    if (result && typeof result === 'object') return { ok: result.ok !== false, message: result.message ?? (result.ok === false ? 'not ok' : '') };
    return { ok: true, message: '' };
  } catch (error) {
    return { ok: false, message: (error as Error)?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The mapped columns of an entity the database lacks, or `'table'` when the table itself is missing. */
async function missingColumns(em: EntityManager, meta: EntityMetadata): Promise<string[] | 'table'> {
  const platform = em.getPlatform();
  const quote = (name: string) => platform.quoteIdentifier(name);
  const table = meta.schema && meta.schema !== '*' ? `${quote(meta.schema)}.${quote(meta.tableName)}` : quote(meta.tableName);
  const columns = meta.props
    .filter(p => p.persist !== false && !p.formula && p.fieldNames?.length)
    .filter(p => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner) || (p.kind === ReferenceKind.EMBEDDED && p.object))
    .flatMap(p => p.fieldNames);
  const connection = em.getConnection();
  const probe = async (sql: string) => {
    try {
      await connection.execute(sql);
      return true;
    } catch {
      return false;
    }
  };
  if (await probe(`select ${columns.map(quote).join(', ') || '1'} from ${table} where 1 = 0`)) return [];
  if (!(await probe(`select 1 from ${table} where 1 = 0`))) return 'table';
  const missing: string[] = [];
  for (const column of columns) if (!(await probe(`select ${quote(column)} from ${table} where 1 = 0`))) missing.push(column);
  return missing;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
