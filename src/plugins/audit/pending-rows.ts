import type { EntityManager, Transaction } from '@mikro-orm/core';
import { insertRow, insertRows } from './row-writer.js';
import type { AuditSettings } from './settings.js';
import type { AuditRecord, BulkAuditRecord } from './types.js';

type AnyRecord = AuditRecord | BulkAuditRecord;

/** Rows an entity manager collected in one transaction, waiting to go in together. */
interface PendingRows {
  readonly transaction: Transaction;
  readonly settings: AuditSettings;
  readonly records: AnyRecord[];
}

const pending = new WeakMap<EntityManager, PendingRows>();

/**
 * Keeps the rows of changes for the end of the flush, when the ids are known and every row goes in
 * at once (`writePending`). Outside a transaction nothing would hold the rows together, so each row
 * goes in right away, in order, as the changes did.
 */
export function addRows(em: EntityManager, settings: AuditSettings, records: readonly AnyRecord[]): void | Promise<void> {
  const transaction = em.getTransactionContext();
  if (transaction === undefined) return insertEach(em, settings, records);
  let batch = pending.get(em);
  // Rows of a transaction that ended without them (a flush that failed, rolled back) are not this one's.
  if (batch === undefined || batch.transaction !== transaction) pending.set(em, (batch = { transaction, settings, records: [] }));
  for (const record of records) batch.records.push(record);
}

async function insertEach(em: EntityManager, settings: AuditSettings, records: readonly AnyRecord[]): Promise<void> {
  for (const record of records) await insertRow(em, settings, record);
}

/**
 * Writes the rows `em` collected in `transaction` (default: its current one), in the order of the
 * changes; rows collected in another transaction are dropped, since that one ended without them.
 */
export function writePending(em: EntityManager, transaction: Transaction | undefined = em.getTransactionContext()): void | Promise<void> {
  const batch = pending.get(em);
  if (batch === undefined) return;
  pending.delete(em);
  if (batch.transaction === transaction && batch.records.length > 0) return insertRows(em, batch.settings, batch.records, transaction);
}

/** Whether `em` holds rows collected in `transaction`. */
export function hasPending(em: EntityManager, transaction: Transaction | undefined): boolean {
  return transaction !== undefined && pending.get(em)?.transaction === transaction;
}

/** Forgets the rows collected in a transaction that rolled back. */
export function dropPending(em: EntityManager, transaction: Transaction | undefined): void {
  if (hasPending(em, transaction)) pending.delete(em);
}

/**
 * A row that must go in now (a bulk operation's), after the rows collected before it in the same
 * transaction, so ids follow the order of the writes.
 */
export async function writeNow(em: EntityManager, settings: AuditSettings, record: AnyRecord): Promise<void> {
  await writePending(em);
  return insertRow(em, settings, record);
}
