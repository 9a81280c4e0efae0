import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { currentContext, invalidArgument } from '../../core.js';
import { auditClock } from './clock.js';
import { auditTable } from './history.js';
import { auditSettings } from './settings.js';

/** The `operation` of an audit row that records an event rather than a change of an entity. */
export const AUDIT_EVENT_OPERATION = 'event';

/**
 * Something an application or tool did that is not a change of an audited entity (an admin switched
 * a plugin off, a login failed), recorded in the audit table beside the changes.
 */
export interface AuditEvent {
  /** What the event is about, stored as the row's `entityName`: `'PluginConsole'`, `'Login'`. */
  subject: string;
  /** Which one, stored as the row's `entityId`: a plugin name, a route. */
  subjectId: string;
  /** What happened: `'setStatus'`, `'denied'`. */
  action: string;
  /** Who did it; default the actor of the current context (`runWithContext`). */
  actor?: string | null;
  /** Default the current context's request id. */
  requestId?: string | null;
  /** JSON-safe details; never put a secret here: the row is stored as given. */
  details?: Record<string, unknown>;
}

/** An event row as `auditEvents` reads it. */
export interface AuditEventRecord {
  id: number;
  subject: string;
  subjectId: string;
  action: string;
  details: Record<string, unknown>;
  actor: string | null;
  requestId: string | null;
  recordedAt: Date;
}

/**
 * Writes one event row (`operation: 'event'`, `changes: { action, details }`) to the audit table, in
 * its own statement (outside any transaction `em` is in, so a refused request is recorded even
 * though nothing else is written). Sinks do not receive events. Returns false, writing nothing, when
 * the ORM keeps no audit table (`auditLog()` missing or `table: false`). `history()` never returns event rows.
 */
export async function recordAuditEvent(em: EntityManager, event: AuditEvent): Promise<boolean> {
  if (typeof (em as { config?: { get?: unknown } } | null)?.config?.get !== 'function') throw invalidArgument('recordAuditEvent', 'em', 'an EntityManager', em);
  checkEvent(event);
  if (!auditSettings(em.config)?.table) return false;
  const context = currentContext(em);
  const clip = (text: string) => text.slice(0, 255);
  await em.fork({ clear: true }).insert(auditTable(em), {
    entityName: clip(event.subject),
    entityId: clip(event.subjectId),
    operation: AUDIT_EVENT_OPERATION,
    changes: { action: event.action, details: event.details ?? {} } as never,
    actor: event.actor !== undefined ? event.actor && clip(event.actor) : (context.actor ?? null),
    requestId: event.requestId !== undefined ? event.requestId && clip(event.requestId) : (context.requestId ?? null),
    recordedAt: auditClock(),
    flushId: randomUUID(),
  });
  return true;
}

/** Event rows, newest first, optionally of one subject (and id) or actor. */
export async function auditEvents(em: EntityManager, filter: { subject?: string; subjectId?: string; actor?: string; limit?: number } = {}): Promise<AuditEventRecord[]> {
  const table = auditTable(em);
  if (typeof filter !== 'object' || filter === null) throw invalidArgument('auditEvents', 'filter', 'an object { subject, subjectId, actor, limit }', filter);
  for (const key of ['subject', 'subjectId', 'actor'] as const) if (filter[key] !== undefined && typeof filter[key] !== 'string') throw invalidArgument('auditEvents', `filter.${key}`, 'a string', filter[key]);
  if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 0)) throw invalidArgument('auditEvents', 'filter.limit', 'a non-negative integer', filter.limit);
  const where: Record<string, unknown> = { operation: AUDIT_EVENT_OPERATION };
  if (filter.subject !== undefined) where.entityName = filter.subject;
  if (filter.subjectId !== undefined) where.entityId = filter.subjectId;
  if (filter.actor !== undefined) where.actor = filter.actor;
  const rows = await em.fork({ keepTransactionContext: true }).find(table, where, {
    orderBy: [{ recordedAt: 'desc' }, { id: 'desc' }],
    ...(filter.limit !== undefined && { limit: filter.limit }),
  });
  return rows.map(row => {
    const changes = (typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes) as { action?: string; details?: Record<string, unknown> };
    return {
      id: Number(row.id),
      subject: row.entityName,
      subjectId: row.entityId,
      action: String(changes.action ?? ''),
      details: changes.details ?? {},
      actor: row.actor ?? null,
      requestId: row.requestId ?? null,
      recordedAt: row.recordedAt,
    };
  });
}

function checkEvent(event: unknown): asserts event is AuditEvent {
  const fn = 'recordAuditEvent';
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw invalidArgument(fn, 'event', 'an object { subject, subjectId, action, actor, details }', event);
  const e = event as Record<string, unknown>;
  for (const key of ['subject', 'subjectId', 'action'] as const) if (typeof e[key] !== 'string' || e[key] === '') throw invalidArgument(fn, `event.${key}`, 'a non-empty string', e[key]);
  for (const key of ['actor', 'requestId'] as const) if (e[key] !== undefined && e[key] !== null && typeof e[key] !== 'string') throw invalidArgument(fn, `event.${key}`, 'a string or null', e[key]);
  if (e.details !== undefined && (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details))) throw invalidArgument(fn, 'event.details', 'an object', e.details);
  if ((e.action as string).length > 200) throw invalidArgument(fn, 'event.action', 'at most 200 characters', '');
}
