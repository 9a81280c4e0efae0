/** What an audit row says happened. Soft delete and restore are the softDelete plugin's updates of its field. */
export type AuditOperation = 'create' | 'update' | 'delete' | 'softDelete' | 'restore';

/**
 * The recorded fields as `{ field: [old, new] }`, JSON-safe: relations as primary keys, dates as
 * ISO strings, JSON properties parsed. A create has `null` as every old value, a delete `null` as every new one.
 */
export type AuditChanges = Record<string, [old: unknown, new: unknown]>;

/** One audited change, as the table stores it and as sinks receive it. */
export interface AuditRecord {
  /** The row's id in the audit table; `undefined` when the table is off (`auditLog({ table: false })`). */
  id: number | undefined;
  /** Entity name (`meta.className`). */
  entity: string;
  /** Primary key as a string; composite keys as a JSON array of strings. */
  entityId: string;
  operation: AuditOperation;
  changes: AuditChanges;
  actor: string | null;
  requestId: string | null;
  /** When the change was written (client clock, never running backwards within a process), millisecond precision. */
  recordedAt: Date;
  /** Shared by every row one flush wrote. */
  flushId: string;
}

/** Where audit records go besides the table: a logger, a queue… */
export interface AuditSink {
  /** Names the sink in error reports. */
  readonly name: string;
  /**
   * Called once per record, in write order, after the transaction that wrote the change committed;
   * never for a rolled-back change. A throw is reported to `pluginSystem({ onError })` and never
   * reaches the caller; the flush awaits the sink, so a slow sink should queue internally.
   */
  write(record: Readonly<AuditRecord>): void | Promise<void>;
}

/** The redacted value stored in place of a redacted field's old and new values. */
export const REDACTED = '[redacted]';
