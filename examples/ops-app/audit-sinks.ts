import { AuditSinkType } from 'mikro-orm-plugins/audit';

/** What the `outbox` sink has sent (a real one would publish to a queue). */
export const outbox: string[] = [];

// Implementations of the AuditSink plugin type: the audit plugin sends each committed record to the chosen one.
AuditSinkType.register('outbox', { write: record => void outbox.push(`${record.operation} ${record.entity} ${record.entityId}`) }, { priority: 10 });
AuditSinkType.register('console', { write: record => console.log(`  [audit] ${record.operation} ${record.entity} ${record.entityId}`) }, { priority: 20, status: 'reserve' });
