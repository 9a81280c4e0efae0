import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { AuditChanges, BulkAuditChanges } from './types.js';

/** The audit table's entity name; the table name is configurable. */
export const AUDIT_LOG_ENTITY = 'AuditLog';

/**
 * The audit table. One schema per ORM, since the table name is per ORM. `recordedAt` keeps
 * milliseconds on every database (MariaDB's `datetime` would round to seconds); `id` breaks ties.
 */
export function defineAuditLog(tableName: string) {
  return defineEntity({
    name: AUDIT_LOG_ENTITY,
    tableName,
    properties: {
      id: p.bigint('number').primary().autoincrement(),
      entityName: p.string().length(255),
      entityId: p.string().length(255),
      operation: p.string().length(16),
      changes: p.json<AuditChanges | BulkAuditChanges>(),
      actor: p.string().length(255).nullable(),
      requestId: p.string().length(255).nullable(),
      recordedAt: p.datetime(3),
      flushId: p.string().length(36),
    },
    indexes: [{ properties: ['entityName', 'entityId'] }, { properties: ['recordedAt'] }, { properties: ['actor'] }, { properties: ['flushId'] }],
  });
}

export type AuditLogSchema = ReturnType<typeof defineAuditLog>;
export type AuditLogRow = InferEntity<AuditLogSchema>;
