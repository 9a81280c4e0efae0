// The checks `doctor` makes outside the process: plugins' health checks and connection tests, and the tables.
import { ReferenceKind, type EntityManager, type EntityMetadata, type MikroORM } from '@mikro-orm/core';
import type { PluginRuntime } from '../bridge/plugin-runtime.js';
import type { HealthCheckResult, Plugin } from '../plugin-api.js';
import type { DoctorFinding } from './doctor-findings.js';
import { jsonSafe } from './json-values.js';
import type { PluginStateStore } from './state/store.js';
import { GLOBAL } from './state/entities.js';
import { messageOf } from '../registry/plugin-meta.js';

/** Each active plugin's `healthCheck`, and its `testConnection` once per distinct options an entity gives it. */
export async function healthFindings(
  runtime: PluginRuntime,
  store: PluginStateStore | undefined,
  timeout: number,
  onProgress?: (step: string) => void,
): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const registry = runtime.registry;
  const attachments = runtime.attachments();
  for (const name of registry.names()) {
    if (!registry.isEnabled(name) || store?.status(name, GLOBAL) === 'disabled') continue;
    const instance = runtime.instanceOf(name) as Plugin;
    if (typeof instance.healthCheck === 'function') {
      onProgress?.(`${name}: health check`);
      const result = await runCheck(() => instance.healthCheck!(), timeout);
      findings.push({ level: result.ok ? 'ok' : 'error', check: 'health', plugin: name, message: result.ok ? `${name}: healthy${result.message ? ` (${result.message})` : ''}` : `${name}: health check failed: ${result.message}` });
    }
    if (typeof instance.testConnection !== 'function') continue;
    const tested = new Set<string>();
    for (const [entity, list] of attachments) {
      const use = list.find(p => p.plugin === name);
      if (!use) continue;
      const key = JSON.stringify(jsonSafe(use.options, true));
      if (tested.has(key)) continue;
      tested.add(key);
      onProgress?.(`${name}: connection test with ${entity}'s options`);
      const result = await runCheck(() => instance.testConnection!(use.options), timeout);
      findings.push({
        level: result.ok ? 'ok' : 'error',
        check: 'connection',
        plugin: name,
        entity,
        message: result.ok ? `${name}: connection test passed with ${entity}'s options` : `${name}: connection test failed with ${entity}'s options: ${result.message}`,
      });
    }
  }
  return findings;
}

/** Every column an entity with plugins maps (plugins add theirs at discovery) must exist. */
export async function columnFindings(orm: MikroORM, entities: Iterable<string>): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const em = orm.em.fork();
  for (const entity of [...entities].sort()) {
    const meta = em.getMetadata().getByClassName(entity, false);
    if (!meta || meta.virtual || meta.embeddable) continue;
    const missing = await missingColumns(em, meta);
    if (missing === 'table') findings.push({ level: 'error', check: 'column', entity, message: `${entity}: table '${meta.tableName}' does not exist` });
    else if (missing.length > 0) {
      findings.push({ level: 'error', check: 'column', entity, message: `${entity}: table '${meta.tableName}' is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (run your migrations)` });
    }
  }
  return findings;
}

export async function runCheck(check: () => HealthCheckResult | Promise<HealthCheckResult>, timeout: number): Promise<{ ok: boolean; message: string }> {
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
    return { ok: false, message: messageOf(error) };
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
