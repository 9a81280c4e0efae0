import { EntitySchema, wrap, type EntityManager, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { metadataOf } from '../../bridge/inspect.js';
import type { AuditLogRow } from './audit-log-entity.js';
import { serializeEntityId } from './entity-id.js';
import { AuditNotInstalledError } from './errors.js';
import { auditSettings } from './settings.js';
import type { AuditOperation, AuditRecord } from './types.js';

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
 */
export function history(em: EntityManager, entity: EntityName<any> | string, pk: unknown, filter?: HistoryFilter): Promise<AuditRecord[]>;
export function history(em: EntityManager, entity: object, filter?: HistoryFilter): Promise<AuditRecord[]>;
export async function history(em: EntityManager, target: object | string, pkOrFilter?: unknown, maybeFilter?: HistoryFilter): Promise<AuditRecord[]> {
  const byName = isEntityName(target);
  const meta = metadataOf(em, byName ? target : target.constructor);
  const pk = byName ? pkOrFilter : wrap(target, true).getPrimaryKey();
  const filter = (byName ? maybeFilter : (pkOrFilter as HistoryFilter | undefined)) ?? {};
  const where: FilterQuery<AuditLogRow> = { entityName: meta.className, entityId: serializeEntityId(meta, pk) };
  if (filter.actor !== undefined) where.actor = filter.actor;
  if (filter.operations) where.operation = { $in: [...filter.operations] };
  if (filter.from || filter.to) where.recordedAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lte: filter.to }) };
  const rows = await reader(em).find(auditTable(em), where, {
    orderBy: [{ recordedAt: 'desc' }, { id: 'desc' }],
    ...(filter.limit !== undefined && { limit: filter.limit }),
  });
  return rows.map(toRecord);
}

/** Audit rows of one entity up to `when` (inclusive), oldest first; what `stateAt` folds. */
export async function rowsUntil(em: EntityManager, meta: EntityMetadata, pk: unknown, when: Date): Promise<AuditRecord[]> {
  const where = { entityName: meta.className, entityId: serializeEntityId(meta, pk), recordedAt: { $lte: when } };
  const rows = await reader(em).find(auditTable(em), where, { orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toRecord);
}

/** The `AuditLog` entity of this ORM, to query the table directly. */
export function auditTable(em: EntityManager) {
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

function toRecord(row: AuditLogRow): AuditRecord {
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
  };
}
