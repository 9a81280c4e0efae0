export { AuditPlugin } from './audit-plugin.js';
export { auditLog, type AuditLogOptions } from './extension.js';
export { AuditSinkType } from './sink-type.js';
export { AUDIT_LOG_ENTITY, type AuditLogRow } from './audit-log-entity.js';
export { auditTable, bulkHistory, history, type HistoryFilter } from './history.js';
export { stateAt } from './state-at.js';
export { recordAuditEvent, auditEvents, AUDIT_EVENT_OPERATION, type AuditEvent, type AuditEventRecord } from './events.js';
export { AUDIT_ERRORS, AuditNotInstalledError, AuditSinkError, type SinkFailure } from './errors.js';
export type { AuditOptions } from './options.js';
export {
  BULK_ENTITY_ID,
  REDACTED,
  type AuditChanges,
  type AuditOperation,
  type AuditRecord,
  type AuditSink,
  type BulkAuditChanges,
  type BulkAuditOperation,
  type BulkAuditRecord,
  type EntityAuditOperation,
} from './types.js';
