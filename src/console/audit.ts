import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { metadataOf } from '../core.js';
import { AUDIT_EVENT_OPERATION, auditTable, stateAt, type AuditLogRow } from '../plugins/audit/index.js';
import { invalidField, notFound } from './errors.js';
import { queryDate, queryInteger, queryValue } from './fields.js';
import type { Route } from './router.js';

const MAX_LIMIT = 5000;

export interface ConsoleAuditRecord {
  readonly id: number;
  readonly entity: string;
  readonly entityId: string;
  readonly operation: string;
  /** Field diffs of an entity change; `{}` for bulk rows and events (see `details`). */
  readonly changes: Record<string, { from: unknown; to: unknown }>;
  /** What a bulk row or an event recorded (where, data, count; action, details). */
  readonly details?: unknown;
  readonly actor: string | null;
  readonly at: string;
}

/** `api/audit`: history filtered by entity, row, actor and time, as JSON or CSV; `api/audit/state`: a row as it was at a time. */
export function auditRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/audit',
      changes: false,
      run: async ({ orm, query }) => {
        const format = queryValue(query, 'format') ?? 'json';
        if (format !== 'json' && format !== 'csv') throw invalidField('format', "'json' or 'csv'");
        const records = await auditRecords(orm.em, {
          entity: queryValue(query, 'entity'),
          id: queryValue(query, 'id'),
          actor: queryValue(query, 'actor'),
          from: queryDate(query, 'from'),
          to: queryDate(query, 'to'),
          limit: queryInteger(query, 'limit', 1, MAX_LIMIT) ?? 500,
        });
        if (format === 'csv') return { download: { contentType: 'text/csv; charset=utf-8', filename: 'audit.csv', body: toCsv(records) } };
        return { json: { records } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/audit/state',
      changes: false,
      run: async ({ orm, query }) => {
        const entity = queryValue(query, 'entity');
        const id = queryValue(query, 'id');
        const at = queryDate(query, 'at');
        if (entity === undefined) throw invalidField('entity', 'an entity name');
        if (id === undefined) throw invalidField('id', "the row's primary key");
        if (at === undefined) throw invalidField('at', 'an ISO date-time');
        auditTable(orm.em);
        const meta = entityMeta(orm, entity);
        const state = await stateAt(orm.em.fork(), meta.className, primaryKey(meta, id), at);
        return { json: { state: state && jsonSafe(state) } };
      },
    },
  ];
}

interface AuditQuery {
  entity?: string;
  id?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  limit: number;
}

async function auditRecords(em: EntityManager, q: AuditQuery): Promise<ConsoleAuditRecord[]> {
  const table = auditTable(em);
  const where: Record<string, unknown> = {};
  if (q.entity !== undefined) where.entityName = q.entity;
  if (q.id !== undefined) where.entityId = q.id;
  if (q.actor !== undefined) where.actor = q.actor;
  if (q.from || q.to) where.recordedAt = { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) };
  const rows = await em.fork().find(table, where, { orderBy: [{ recordedAt: 'desc' }, { id: 'desc' }], limit: q.limit });
  return rows.map(toRecord);
}

const ENTITY_OPERATIONS = new Set(['create', 'update', 'delete', 'softDelete', 'restore']);

function toRecord(row: AuditLogRow): ConsoleAuditRecord {
  const raw: unknown = typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes;
  const entityChange = ENTITY_OPERATIONS.has(row.operation) && raw !== null && typeof raw === 'object';
  const changes = entityChange
    ? Object.fromEntries(Object.entries(raw as Record<string, [unknown, unknown]>).map(([field, pair]) => [field, { from: pair?.[0] ?? null, to: pair?.[1] ?? null }]))
    : {};
  return {
    id: Number(row.id),
    entity: row.entityName,
    entityId: row.entityId,
    operation: row.operation,
    changes,
    ...(!entityChange && { details: raw }),
    actor: row.actor ?? null,
    at: new Date(row.recordedAt).toISOString(),
  };
}

/** RFC 4180, with cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`…) quoted with a leading `'`. */
function toCsv(records: readonly ConsoleAuditRecord[]): string {
  const cell = (value: unknown) => {
    let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [['id', 'at', 'entity', 'entityId', 'operation', 'actor', 'changes'].join(',')];
  for (const r of records) lines.push([r.id, r.at, r.entity, r.entityId, r.operation === AUDIT_EVENT_OPERATION ? 'event' : r.operation, r.actor, r.details ?? r.changes].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function entityMeta(orm: MikroORM, entity: string) {
  const meta = orm.em.getMetadata().getByClassName(entity, false);
  if (!meta || meta.virtual || meta.embeddable) throw notFound(`no entity named '${entity.slice(0, 100)}'`);
  return metadataOf(orm.em, meta.className);
}

/** A primary key from the URL, in the property's type: numbers for numeric keys, a JSON array for composite ones. */
export function primaryKey(meta: ReturnType<typeof entityMeta>, id: string): unknown {
  const props = meta.primaryKeys.map(name => meta.properties[name]!);
  const parts = props.length === 1 ? [id] : parseComposite(id, props.length);
  const values = parts.map((part, i) => {
    const type = String(props[i]!.runtimeType ?? props[i]!.type).toLowerCase();
    if (type === 'number') {
      const n = Number(part);
      if (!/^-?\d+(\.\d+)?$/.test(part) || !Number.isFinite(n)) throw invalidField('id', `a number for ${meta.className}.${props[i]!.name}`);
      return n;
    }
    if (type === 'bigint') {
      if (!/^-?\d+$/.test(part)) throw invalidField('id', `an integer for ${meta.className}.${props[i]!.name}`);
      return BigInt(part);
    }
    return part;
  });
  return values.length === 1 ? values[0] : values;
}

function parseComposite(id: string, count: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(id);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== count || !parsed.every(p => typeof p === 'string' || typeof p === 'number')) throw invalidField('id', `a JSON array of ${count} key values`);
  return parsed.map(String);
}

/** Dates as ISO strings, bigints as strings: what JSON can carry. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
