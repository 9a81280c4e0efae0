/** What an audit row about one entity says happened. Soft delete and restore are the softDelete plugin's updates of its field. */
export type EntityAuditOperation = 'create' | 'update' | 'delete' | 'softDelete' | 'restore';

/**
 * What a bulk audit row says happened: one row per `em.insert`/`insertMany` (`bulkInsert`),
 * `upsert`/`upsertMany` (`bulkUpsert`), `nativeUpdate` (`bulkUpdate`; `bulkSoftDelete`/`bulkRestore`
 * when the data sets or clears the softDelete plugin's field, as a vetoed `nativeDelete` does) and
 * `nativeDelete` that really deleted (`bulkDelete`).
 */
export type BulkAuditOperation = 'bulkInsert' | 'bulkUpsert' | 'bulkUpdate' | 'bulkDelete' | 'bulkSoftDelete' | 'bulkRestore';

export type AuditOperation = EntityAuditOperation | BulkAuditOperation;

export const BULK_OPERATIONS: readonly BulkAuditOperation[] = ['bulkInsert', 'bulkUpsert', 'bulkUpdate', 'bulkDelete', 'bulkSoftDelete', 'bulkRestore'];

/** The `entityId` of a bulk row: it is about every row the where-condition matched, not one entity. */
export const BULK_ENTITY_ID = '*';

/**
 * The recorded fields as `{ field: [old, new] }`, JSON-safe: relations as primary keys, dates as
 * ISO strings, JSON properties parsed. A create has `null` as every old value, a delete `null` as every new one.
 */
export type AuditChanges = Record<string, [old: unknown, new: unknown]>;

/**
 * What a bulk row records, JSON-safe and redacted like an entity's changes: the where-condition as
 * given (`null` for inserts and upserts; values of redacted properties as `"[redacted]"`), the data
 * written (an object for updates, `{}` for deletes, one object per row for inserts and upserts;
 * `include`/`exclude` and `redact` applied) and the rows the database reported (`count`, `null` if unknown).
 */
export interface BulkAuditChanges {
  where: unknown;
  data: Record<string, unknown> | Record<string, unknown>[];
  count: number | null;
}

/** One audited change of one entity, as the table stores it and as sinks receive it. */
export interface AuditRecord {
  /** The row's id in the audit table; `undefined` when the table is off (`auditLog({ table: false })`). */
  id: number | undefined;
  /** Entity name (`meta.className`). */
  entity: string;
  /** Primary key as a string; composite keys as a JSON array of strings. */
  entityId: string;
  operation: EntityAuditOperation;
  changes: AuditChanges;
  actor: string | null;
  requestId: string | null;
  /** When the change was written (client clock, never running backwards within a process), millisecond precision. */
  recordedAt: Date;
  /** Shared by every row one flush wrote. */
  flushId: string;
}

/** One audited native or bulk operation: `entityId` is `'*'` (`BULK_ENTITY_ID`), `changes` says where and what. */
export interface BulkAuditRecord extends Omit<AuditRecord, 'operation' | 'changes'> {
  operation: BulkAuditOperation;
  changes: BulkAuditChanges;
}

/**
 * Where audit records go besides the table: a logger, a queue… Given to `auditLog({ sinks })`, or
 * registered against `AuditSinkType` to be chosen (and switched) through the plugin state.
 */
export interface AuditSink {
  /** Names the sink in error reports; a registered implementation is named by its key (`AuditSink:kafka`) instead. */
  readonly name?: string;
  /**
   * Called once per record, in write order, after the transaction that wrote the change committed;
   * never for a rolled-back change. A throw is reported to `pluginSystem({ onError })` and never
   * reaches the caller; the flush awaits the sink, so a slow sink should queue internally.
   */
  write(record: Readonly<AuditRecord | BulkAuditRecord>): void | Promise<void>;
  /**
   * Optional: the entity records of one flush at once, in write order, called when the first of them
   * is published, instead of `write` for each (bulk records still go to `write`). Without it, `write`
   * gets every record. A throw is reported once, as an `AuditSinkError` naming the first record.
   */
  writeMany?(records: readonly Readonly<AuditRecord>[]): void | Promise<void>;
}

/** The redacted value stored in place of a redacted field's old and new values. */
export const REDACTED = '[redacted]';
