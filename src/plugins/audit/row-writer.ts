import type { EntityManager, Transaction } from '@mikro-orm/core';
import { HookError, PluginError } from '../../core.js';
import type { AuditSettings } from './settings.js';
import type { AuditRecord, BulkAuditRecord } from './types.js';

/**
 * Bound parameters per statement: SQLite's default limit (32,766) is the lowest of the supported
 * databases (PostgreSQL and MariaDB allow 65,535), so a chunk under it runs everywhere.
 */
const MAX_PARAMETERS = 32_766;
/** Columns an audit row binds (every one but the generated `id`). */
const COLUMNS = 8;

/** Rows per INSERT: MikroORM's `batchSize` (the chunk its own flush inserts), capped by the parameter limit. */
export function rowsPerInsert(batchSize: number): number {
  return Math.max(1, Math.min(Math.floor(batchSize) || 1, Math.floor(MAX_PARAMETERS / COLUMNS)));
}

/**
 * Writes audit rows in order, one multi-row INSERT per chunk, on `ctx` (the transaction they belong
 * to), and sets each record's `id` from the ids the database generated. Through the driver, since
 * `em.insertMany` of data objects reports one id, not one per row; the driver returns every row's
 * (RETURNING, or MySQL's first id + n), as for MikroORM's own batched inserts.
 */
export async function insertRows(em: EntityManager, settings: AuditSettings, records: readonly (AuditRecord | BulkAuditRecord)[], ctx: Transaction): Promise<void> {
  const driver = em.getDriver();
  const size = rowsPerInsert(em.config.get('batchSize'));
  // What `em.insert()` adds to the driver call: the em's schema (a fork may have its own) and its logger context.
  const options = { ctx, schema: em.schema, loggerContext: { ...em.getLoggerContext(), id: em.id } };
  for (let start = 0; start < records.length; start += size) {
    const chunk = records.slice(start, start + size);
    let result;
    try {
      result = await driver.nativeInsertMany(settings.table!, chunk.map(toRow), options);
    } catch (error) {
      throw writeFailed(error, chunk[0]!.entity);
    }
    for (let i = 0; i < chunk.length; i++) chunk[i]!.id = Number(result.rows?.[i]?.id);
  }
}

/** One row alone, right away, where there is no transaction to collect the rows of (implicit transactions off). */
export async function insertRow(em: EntityManager, settings: AuditSettings, record: AuditRecord | BulkAuditRecord): Promise<void> {
  const id = await em.insert(settings.table!, toRow(record), { ctx: em.getTransactionContext() });
  record.id = Number(id);
}

/**
 * The error a failed row write rolls the flush back with: the one the `afterChange` hook that wrote
 * each row by itself raised, naming the plugin, its hook and the entity of the chunk's first row.
 */
function writeFailed(error: unknown, entity: string): PluginError {
  if (error instanceof PluginError) return error;
  const hook = 'record (AuditPlugin)';
  const message = error instanceof Error ? error.message : String(error);
  return new HookError('MOP_HOOK_FAILED', `Hook audit.${hook} failed on ${entity}: ${message}`, { plugin: 'audit', hook, entity, cause: error });
}

function toRow(record: AuditRecord | BulkAuditRecord) {
  const { id: _id, entity, ...rest } = record;
  return { ...rest, entityName: entity };
}
