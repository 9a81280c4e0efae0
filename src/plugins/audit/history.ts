import { EntitySchema, Utils, wrap, type EntityManager, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { invalidArgument, metadataOf } from '../../core.js';
import type { AuditLogRow } from './audit-log-entity.js';
import { serializeEntityId } from './entity-id.js';
import { AuditNotInstalledError } from './errors.js';
import { auditSettings } from './settings.js';
import { BULK_ENTITY_ID, BULK_OPERATIONS, type AuditOperation, type AuditRecord, type BulkAuditRecord, type EntityAuditOperation } from './types.js';

/** Narrows `history()`. Both ends of the time range are inclusive. */
export interface HistoryFilter {
  actor?: string;
  /** Only changes recorded at or after this time. */
  from?: Date;
  /** Only changes recorded at or before this time. */
  to?: Date;
  operations?: readonly AuditOperation[];
  /** At most this many records (the newest). */
  limit?: number;
}

/**
 * The audit records of one entity, newest first (by `recordedAt`, then by row id, so changes of
 * one millisecond keep their write order): `history(em, author)` or `history(em, Author, 42, { actor: 'u1' })`.
 * Bulk rows are not included: they name a where-condition, not the entities it matched (see `bulkHistory`).
 */
export function history(em: EntityManager, entity: EntityName<any> | string, pk: unknown, filter?: HistoryFilter): Promise<AuditRecord[]>;
export function history(em: EntityManager, entity: object, filter?: HistoryFilter): Promise<AuditRecord[]>;
export async function history(em: EntityManager, target: object | string, pkOrFilter?: unknown, maybeFilter?: HistoryFilter): Promise<AuditRecord[]> {
  if ((typeof target !== 'object' && typeof target !== 'function' && typeof target !== 'string') || target === null) {
    throw invalidArgument('history', 'entity', 'an entity, or an entity class or name with a primary key', target);
  }
  const byName = isEntityName(target);
  const meta = metadataOf(em, byName ? target : target.constructor);
  const pk = byName ? pkOrFilter : wrap(target, true).getPrimaryKey();
  if (byName) checkPk('history', pk);
  const filter = checkFilter('history', (byName ? maybeFilter : (pkOrFilter as HistoryFilter | undefined)) ?? {});
  const entityOps = (filter.operations ?? ENTITY_OPERATIONS).filter(op => !isBulkOperation(op));
  return (await find(em, { entityName: meta.className, entityId: serializeEntityId(meta, pk) }, { ...filter, operations: entityOps })) as AuditRecord[];
}

/**
 * The bulk rows of an entity (native and bulk operations: `em.insert`, `upsert`, `nativeUpdate`,
 * `nativeDelete`…), newest first, with the same filters as `history`: `bulkHistory(em, Ticket, { operations: ['bulkDelete'] })`.
 */
export async function bulkHistory(em: EntityManager, entity: EntityName<any> | string, filter: HistoryFilter = {}): Promise<BulkAuditRecord[]> {
  const meta = metadataOf(em, entity);
  checkFilter('bulkHistory', filter);
  const operations = (filter.operations ?? BULK_OPERATIONS).filter(isBulkOperation);
  return (await find(em, { entityName: meta.className, entityId: BULK_ENTITY_ID }, { ...filter, operations })) as BulkAuditRecord[];
}

const ENTITY_OPERATIONS: readonly EntityAuditOperation[] = ['create', 'update', 'delete', 'softDelete', 'restore'];

function isBulkOperation(op: AuditOperation): boolean {
  return (BULK_OPERATIONS as readonly string[]).includes(op);
}

async function find(em: EntityManager, key: { entityName: string; entityId: string }, filter: HistoryFilter): Promise<(AuditRecord | BulkAuditRecord)[]> {
  const where: FilterQuery<AuditLogRow> = { ...key };
  where.operation = { $in: [...(filter.operations ?? [])] };
  if (filter.actor !== undefined) where.actor = filter.actor;
  if (filter.from || filter.to) where.recordedAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lte: filter.to }) };
  const rows = await reader(em).find(auditTable(em), where, {
    orderBy: [{ recordedAt: 'desc' }, { id: 'desc' }],
    ...(filter.limit !== undefined && { limit: filter.limit }),
  });
  return rows.map(toRecord);
}

/** Audit rows of one entity up to `when` (inclusive), oldest first; what `stateAt` folds. Bulk rows never count. */
export async function rowsUntil(em: EntityManager, meta: EntityMetadata, pk: unknown, when: Date): Promise<AuditRecord[]> {
  const where = { entityName: meta.className, entityId: serializeEntityId(meta, pk), operation: { $in: [...ENTITY_OPERATIONS] }, recordedAt: { $lte: when } };
  const rows = await reader(em).find(auditTable(em), where, { orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toRecord) as AuditRecord[];
}

/** The `AuditLog` entity of this ORM, to query the table directly. */
export function auditTable(em: EntityManager) {
  if (typeof (em as { config?: { get?: unknown } } | null | undefined)?.config?.get !== 'function') throw invalidArgument('auditTable', 'em', 'an EntityManager', em);
  const table = auditSettings(em.config)?.table;
  if (!table) throw new AuditNotInstalledError('This ORM keeps no audit table: add auditLog() to its extensions, without `table: false`');
  return table;
}

/** A fork with its own identity map that still reads through the caller's transaction, if any, so it sees the changes written so far. */
function reader(em: EntityManager): EntityManager {
  return em.fork({ keepTransactionContext: true });
}

function isEntityName(value: unknown): value is EntityName<any> | string {
  return typeof value === 'string' || typeof value === 'function' || value instanceof EntitySchema;
}

/** The operation tells which of the two a row is; the cast states what the writer guarantees. */
function toRecord(row: AuditLogRow): AuditRecord | BulkAuditRecord {
  return {
    id: Number(row.id),
    entity: row.entityName,
    entityId: row.entityId,
    operation: row.operation as AuditOperation,
    changes: typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes,
    actor: row.actor ?? null,
    requestId: row.requestId ?? null,
    recordedAt: row.recordedAt,
    flushId: row.flushId,
  } as AuditRecord | BulkAuditRecord;
}

const ALL_OPERATIONS: readonly string[] = [...ENTITY_OPERATIONS, ...BULK_OPERATIONS];

// Plain JavaScript may pass anything: typed errors before a query is built from it.
function checkFilter(fn: string, filter: unknown): HistoryFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw invalidArgument(fn, 'filter', 'an object { actor, from, to, operations, limit }', filter);
  const { actor, from, to, operations, limit } = filter as Record<string, unknown>;
  if (actor !== undefined && typeof actor !== 'string') throw invalidArgument(fn, 'filter.actor', 'a string', actor);
  for (const [key, value] of [['from', from], ['to', to]] as const) if (value !== undefined && !isValidDate(value)) throw invalidArgument(fn, `filter.${key}`, 'a valid Date', value);
  if (operations !== undefined && (!Array.isArray(operations) || operations.some(op => !ALL_OPERATIONS.includes(op)))) {
    throw invalidArgument(fn, 'filter.operations', `a list of ${ALL_OPERATIONS.join(', ')}`, operations);
  }
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0)) throw invalidArgument(fn, 'filter.limit', 'a non-negative integer', limit);
  return filter as HistoryFilter;
}

export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** A primary key as an application gives it: a scalar, or for composite keys a list or object of scalars. */
export function checkPk(fn: string, pk: unknown): void {
  const scalar = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint' || isValidDate(v);
  const ok = scalar(pk) || (Array.isArray(pk) && pk.length > 0 && pk.every(scalar)) || (Utils.isPlainObject(pk) && Object.values(pk as object).every(scalar));
  if (!ok) throw invalidArgument(fn, 'pk', 'a primary key (a string, number, bigint or Date, or a list or object of them)', pk);
}
