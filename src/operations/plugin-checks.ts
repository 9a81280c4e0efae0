import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { invalidArgument, PluginConfigError } from '../errors.js';
import type { Plugin } from '../plugin-api.js';
import { didYouMean } from '../registry/did-you-mean.js';
import { scrubSecrets } from '../registry/secrets.js';
import { runCheck } from './doctor-probes.js';
import { secretsOf } from './masked-options.js';

/** What one health check or connection test found; `message` has every secret masked. `ran: false`: the plugin has no such check. */
export interface PluginCheckResult {
  readonly plugin: string;
  readonly entity?: string;
  readonly ran: boolean;
  readonly ok: boolean;
  readonly message: string;
}

export interface PluginCheckOptions {
  /** Milliseconds the check may take. Default 10000. */
  timeout?: number;
  /** `testPluginConnection`: test with this entity's options; default each distinct options of the plugin's entities, the first failure winning. */
  entity?: string;
}

/** Runs one plugin's `healthCheck()` now (what `doctor` runs for every plugin). */
export async function checkPluginHealth(ormOrEm: MikroORM | EntityManager, plugin: string, options: PluginCheckOptions = {}): Promise<PluginCheckResult> {
  const instance = pluginInstance('checkPluginHealth', ormOrEm, plugin, options);
  if (typeof instance.healthCheck !== 'function') return { plugin, ran: false, ok: true, message: `${plugin} has no health check` };
  const result = await runCheck(() => instance.healthCheck!(), options.timeout ?? 10_000);
  return { plugin, ran: true, ok: result.ok, message: scrubOrmSecrets(ormOrEm, result.message) };
}

/** Runs one plugin's `testConnection(options)` with the options of its entities (or one entity's). */
export async function testPluginConnection(ormOrEm: MikroORM | EntityManager, plugin: string, options: PluginCheckOptions = {}): Promise<PluginCheckResult> {
  const instance = pluginInstance('testPluginConnection', ormOrEm, plugin, options);
  if (typeof instance.testConnection !== 'function') return { plugin, ran: false, ok: true, message: `${plugin} has no connection test` };
  const uses = [...runtimeOf(ormOrEm).attachments()].flatMap(([entity, list]) => list.filter(p => p.plugin === plugin).map(p => ({ entity, options: p.options })));
  const chosen = options.entity === undefined ? uses : uses.filter(use => use.entity === options.entity);
  if (options.entity !== undefined && chosen.length === 0) {
    throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `Plugin '${plugin}' is not attached to entity '${options.entity}'${didYouMean(options.entity, uses.map(u => u.entity))}`, { plugin, entity: options.entity });
  }
  if (chosen.length === 0) return { plugin, ran: false, ok: true, message: `no entity uses ${plugin}` };
  const seen = new Set<unknown>();
  let last: PluginCheckResult | undefined;
  for (const use of chosen) {
    if (seen.has(use.options)) continue;
    seen.add(use.options);
    const result = await runCheck(() => instance.testConnection!(use.options), options.timeout ?? 10_000);
    last = { plugin, entity: use.entity, ran: true, ok: result.ok, message: scrubOrmSecrets(ormOrEm, result.message) };
    if (!result.ok) return last;
  }
  return last!;
}

/** A text with every secret option value of this ORM's plugins, and every URL password, masked: for messages you show. */
export function scrubOrmSecrets(ormOrEm: MikroORM | EntityManager, text: string): string {
  if (typeof text !== 'string') throw invalidArgument('scrubOrmSecrets', 'text', 'a string', text);
  return scrubSecrets(text, secretsOf(ormOrEm));
}

function pluginInstance(fn: string, ormOrEm: MikroORM | EntityManager, plugin: unknown, options: unknown): Plugin {
  const runtime = runtimeOf(ormOrEm);
  if (typeof plugin !== 'string' || plugin === '') throw invalidArgument(fn, 'plugin', 'a plugin name', plugin);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument(fn, 'options', 'an object { timeout, entity }', options);
  const { timeout, entity } = options as PluginCheckOptions;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout))) throw invalidArgument(fn, 'timeout', 'a positive number of milliseconds', timeout);
  if (entity !== undefined && (typeof entity !== 'string' || entity === '')) throw invalidArgument(fn, 'entity', 'an entity name', entity);
  if (!runtime.registry.has(plugin)) {
    throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin named '${plugin}' is registered${didYouMean(plugin, runtime.registry.names())}`, { plugin });
  }
  return runtime.instanceOf(plugin) as Plugin;
}
