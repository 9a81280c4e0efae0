// Shared by the audit suites: raw reads of the audit table (never through the identity map) and a recording sink.
import type { MikroORM } from '@mikro-orm/core';
import { hook, plugin } from '../../src/index.js';
import { type AuditRecord, type AuditSink, type BulkAuditRecord } from '../../src/audit.js';

export interface RawAuditRow {
  id: number;
  entityName: string;
  entityId: string;
  operation: string;
  changes: Record<string, [unknown, unknown]>;
  actor: string | null;
  requestId: string | null;
  recordedAt: Date;
  flushId: string;
}

/** Every row of the audit table, by id, as the database holds them: JSON parsed, dates as `Date`. */
export async function auditRows(orm: MikroORM, table = 'audit_log'): Promise<RawAuditRow[]> {
  const q = (name: string) => orm.em.getPlatform().quoteIdentifier(name);
  const rows: Record<string, unknown>[] = await orm.em.getConnection().execute(`select * from ${q(table)} order by ${q('id')}`);
  return rows.map(row => ({
    id: Number(row.id),
    entityName: row.entity_name as string,
    entityId: row.entity_id as string,
    operation: row.operation as string,
    changes: typeof row.changes === 'string' ? JSON.parse(row.changes) : (row.changes as RawAuditRow['changes']),
    actor: (row.actor as string | null) ?? null,
    requestId: (row.request_id as string | null) ?? null,
    recordedAt: toDate(row.recorded_at),
    flushId: row.flush_id as string,
  }));
}

/** Raw rows with every column as text, for searching. */
export async function auditTableText(orm: MikroORM, table = 'audit_log'): Promise<string> {
  const rows = await orm.em.getConnection().execute(`select * from ${orm.em.getPlatform().quoteIdentifier(table)}`);
  return JSON.stringify(rows);
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  // MariaDB and PostgreSQL return UTC text without a 'Z' through a raw query.
  return new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** A sink that keeps what it receives. */
export function recordingSink(name = 'memory'): AuditSink & { records: AuditRecord[]; bulk: BulkAuditRecord[] } {
  const records: AuditRecord[] = [];
  const bulk: BulkAuditRecord[] = [];
  const write = (record: Readonly<AuditRecord | BulkAuditRecord>) => {
    const copy = structuredClone(record) as AuditRecord | BulkAuditRecord;
    if (copy.operation.startsWith('bulk')) bulk.push(copy as BulkAuditRecord);
    else records.push(copy as AuditRecord);
  };
  return { name, records, bulk, write };
}

/** Throws in `afterChange` of an entity whose `title` is `boom`, after the audit hook wrote its row. */
@plugin({ name: 'tripwire', registry: false })
export class TripwirePlugin {
  @hook('afterChange', { after: ['audit'] })
  trip(entity: { title?: string }): void {
    if (entity.title === 'boom') throw new Error('tripwire');
  }
}
