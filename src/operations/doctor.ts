import type { MikroORM } from '@mikro-orm/core';
import type { PluginRuntime } from '../bridge/plugin-runtime.js';
import { runtimeOf } from '../bridge/runtimes.js';
import { invalidArgument } from '../errors.js';
import type { Plugin } from '../plugin-api.js';
import { scrubSecrets } from '../registry/secrets.js';
import { progressReporter } from './progress.js';
import { startupFindings, type DoctorFinding, type DoctorOptions, type DoctorReport } from './doctor-findings.js';
import { columnFindings, healthFindings } from './doctor-probes.js';
import { findOperations } from './extension.js';
import { jsonSafe, sameJson } from './json-values.js';
import { secretsOf, stripSecrets } from './masked-options.js';
import { optionsSchemaProblem } from './options-json-schema.js';
import { GLOBAL } from './state/entities.js';
import type { PluginStateStore } from './state/store.js';
import type { StatePropagation } from './notify/propagation.js';
import { startupInspectionOf, type StartupInspection } from './startup-inspection.js';

/**
 * Health checks, connection tests, every entity's options, the columns each entity needs, disabled
 * plugins, unused registrations and the stored state. Secret values never appear in a message.
 */
export async function doctor(orm: MikroORM, options: DoctorOptions = {}): Promise<DoctorReport> {
  checkDoctorOptions('doctor', options);
  const runtime = runtimeOf(orm);
  const ops = findOperations(orm);
  const store = ops?.store;
  const inspection = startupInspectionOf(orm);
  const secrets = [...secretsOf(orm), ...(inspection?.secrets ?? [])];
  const findings = [
    ...(await healthFindings(runtime, store, options.timeout ?? 10_000, progressReporter(options.onProgress))),
    ...optionFindings(runtime, store, inspection),
    ...schemaFindings(runtime),
    ...(await columnFindings(orm, runtime.attachments().keys())),
    ...disabledFindings(runtime, store),
    ...unusedFindings(runtime, inspection),
    ...(store ? stateFindings(runtime, store, ops!.types().flatMap(type => type.implementations().map(i => i.key)), inspection) : []),
    ...(ops?.propagation ? [propagationFinding(ops.propagation)] : []),
    ...(ops && !ops.inAppConfig ? [{ level: 'ok', check: 'state', message: 'no stored plugin state: the app does not use pluginOperations()' } satisfies DoctorFinding] : []),
  ].map(finding => ({ ...finding, message: scrubSecrets(finding.message, secrets) }));
  return { ok: !findings.some(f => f.level === 'error'), findings };
}

/** Every start-up problem, when the ORM was started for inspection (`doctorConfig`, the CLI; a normal start throws the first); then drift from the stored copy. */
function optionFindings(runtime: PluginRuntime, store: PluginStateStore | undefined, inspection: StartupInspection | undefined): DoctorFinding[] {
  const attachments = runtime.attachments();
  const findings = startupFindings(inspection);
  const invalid = findings.length;
  for (const [entity, list] of attachments) {
    for (const { plugin, options: given } of list) {
      const row = store?.row(plugin, entity);
      if (!row || !store?.available) continue;
      const current = jsonSafe(stripSecrets(runtime.registry.definition(plugin)?.options, given));
      if (!sameJson(current, row.options)) {
        findings.push({ level: 'warning', check: 'options', plugin, entity, message: `${entity}: ${plugin}'s stored options differ from the code's; run \`sync --mode update\`` });
      }
    }
  }
  const count = [...attachments.values()].reduce((n, l) => n + l.length, 0);
  if (invalid === 0) {
    findings.push({ level: 'ok', check: 'options', message: `${count} plugin option set${count === 1 ? '' : 's'} on ${attachments.size} entit${attachments.size === 1 ? 'y' : 'ies'} valid` });
  }
  return findings;
}

/** Options schemas that offer JSON Schema but fail to convert: `schema` and forms then see only the `fields`. */
function schemaFindings(runtime: PluginRuntime): DoctorFinding[] {
  return runtime.registry.names().flatMap(plugin => {
    const problem = optionsSchemaProblem(runtime.registry.definition(plugin)?.options);
    if (problem === undefined) return [];
    return [{ level: 'warning', check: 'options', plugin, message: `${plugin}: its options schema cannot be converted to JSON Schema (${problem}); \`schema\` shows its fields only` } as const];
  });
}

/** Disabled plugins, per plugin and per entity. */
function disabledFindings(runtime: PluginRuntime, store: PluginStateStore | undefined): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  const registry = runtime.registry;
  for (const name of registry.names()) {
    const status = !registry.isEnabled(name) ? 'disabled' : store?.status(name, GLOBAL);
    if (status && status !== 'active') {
      findings.push({ level: 'warning', check: 'disabled', plugin: name, message: `${name} is ${status}${!registry.isEnabled(name) ? ' in the registry' : ''}` });
      continue;
    }
    for (const [entity, list] of runtime.attachments()) {
      if (!list.some(p => p.plugin === name)) continue;
      const own = store?.row(name, entity)?.status;
      if (own && own !== 'active') findings.push({ level: 'warning', check: 'disabled', plugin: name, entity, message: `${name} is ${own} on ${entity}` });
    }
  }
  return findings;
}

/**
 * Registered plugins no entity uses and that have no lifecycle of their own. A plugin named by an
 * entity whose options are invalid is in use, though not attached. A library's plugins (those that
 * declare `package`) register when the library is imported: leaving one unused is no mistake.
 */
function unusedFindings(runtime: PluginRuntime, inspection: StartupInspection | undefined): DoctorFinding[] {
  const registry = runtime.registry;
  const used = new Set([...runtime.attachments().values()].flatMap(l => l.map(p => p.plugin)).concat([...(inspection?.namedPlugins() ?? [])]));
  const findings: DoctorFinding[] = [];
  for (const name of registry.names()) {
    const definition = registry.definition(name)!;
    if (used.has(name) || definition.package !== undefined) continue;
    const proto = definition.pluginClass.prototype as Plugin;
    if (typeof proto.onLoad === 'function' || typeof proto.healthCheck === 'function') continue;
    findings.push({ level: 'warning', check: 'unused', plugin: name, message: `${name} is registered but no entity uses it` });
  }
  return findings;
}

/** The stored state against the code: the table exists, no stale rows, no missing ones. */
function stateFindings(runtime: PluginRuntime, store: PluginStateStore, implementations: readonly string[], inspection: StartupInspection | undefined): DoctorFinding[] {
  if (!store.available) return [{ level: 'warning', check: 'state', message: 'the plugin_state table does not exist: create it (migrations or schema update), then run `sync`' }];
  const registry = runtime.registry;
  const attachments = runtime.attachments();
  const known = new Set<string>([...registry.names(), ...implementations]);
  const attached = (r: { plugin: string; entity: string }) => attachments.get(r.entity)?.some(p => p.plugin === r.plugin) || inspection?.names(r.entity, r.plugin);
  const stale = store.rows().filter(r => !known.has(r.plugin) || (r.entity !== GLOBAL && !attached(r)));
  const missing = registry.names().filter(n => !store.row(n, GLOBAL));
  const findings: DoctorFinding[] = [];
  if (stale.length > 0) {
    const rows = stale.map(r => (r.entity === GLOBAL ? r.plugin : `${r.plugin} @ ${r.entity}`)).join(', ');
    findings.push({ level: 'warning', check: 'state', message: `${stale.length} stored row(s) for plugins that no longer exist: ${rows}; run \`sync\` (it prunes)` });
  }
  if (missing.length > 0) findings.push({ level: 'warning', check: 'state', message: `no stored row for ${missing.join(', ')}; run \`sync\`` });
  if (stale.length === 0 && missing.length === 0) findings.push({ level: 'ok', check: 'state', message: `plugin_state in line with the code (${store.rows().length} rows, version ${store.version})` });
  return findings;
}

/** How other instances' changes reach this one; a warning when the configured listener is down (polling covers meanwhile). */
function propagationFinding(propagation: StatePropagation): DoctorFinding {
  const { mode, configured } = propagation;
  const how: Record<typeof mode, string> = {
    'postgres-notify': 'PostgreSQL LISTEN/NOTIFY',
    redis: 'Redis pub/sub',
    polling: 'polling the version counter',
    none: 'none (no polling, no notification: call refreshPluginState)',
  };
  if (configured !== undefined && mode !== configured) {
    return { level: 'warning', check: 'state', message: `plugin-state propagation: ${how[mode]}, as ${how[configured]} is not connected (reconnecting)` };
  }
  return { level: 'ok', check: 'state', message: `plugin-state propagation: ${how[mode]}` };
}

/** Plain JavaScript may pass anything as the options: a typed error, not a TypeError half-way through the checks. */
export function checkDoctorOptions(fn: string, options: unknown): asserts options is DoctorOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument(fn, 'options', 'an object { timeout, onProgress }', options);
  const { timeout, onProgress } = options as DoctorOptions;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout))) throw invalidArgument(fn, 'timeout', 'a positive number of milliseconds', timeout);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidArgument(fn, 'onProgress', 'a function', onProgress);
}
