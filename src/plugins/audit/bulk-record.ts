import { Utils, type EntityMetadata } from '@mikro-orm/core';
import type { ActorContext } from '../../core.js';
import { fieldPolicy, type FieldPolicy } from './field-policy.js';
import { toAuditValue } from './json-values.js';
import type { AuditOptions } from './options.js';
import { BULK_ENTITY_ID, REDACTED, type BulkAuditOperation, type BulkAuditRecord } from './types.js';

export interface BulkInput {
  readonly meta: EntityMetadata;
  readonly operation: BulkAuditOperation;
  /** The where-condition the caller gave (`null` for inserts and upserts). */
  readonly where: unknown;
  /** The data written: one object (update; `{}` for a delete), or one per row (insert, upsert). */
  readonly data: object | readonly object[];
  /** Rows the database reported, if known. */
  readonly count: number | undefined;
  readonly options: AuditOptions;
  readonly context: Readonly<ActorContext>;
  readonly flushId: string;
  readonly recordedAt: Date;
}

/**
 * The audit record of one native or bulk operation, redacted: `data` keeps the recorded properties
 * (`include`/`exclude`) with redacted ones as `"[redacted]"`; in `where`, the value under any key
 * naming a redacted property is replaced whole, at any depth (inside `$or`, `$in`…), since the
 * condition may carry the secret itself. `undefined` when the operation changed nothing (no row
 * affected, or an update of unrecorded properties only) and `ignoreNoopUpdates` is on.
 */
export function buildBulkRecord(input: BulkInput): BulkAuditRecord | undefined {
  const { meta, options, count } = input;
  const policy = fieldPolicy(options);
  const data = Array.isArray(input.data) ? input.data.map(row => recordedData(meta, policy, row)) : recordedData(meta, policy, input.data as object);
  if (options.ignoreNoopUpdates) {
    if (count === 0) return undefined;
    if (isUpdate(input.operation) && Object.keys(data).length === 0) return undefined;
  }
  return {
    id: undefined,
    entity: meta.className,
    entityId: BULK_ENTITY_ID,
    operation: input.operation,
    changes: { where: redactWhere(policy, input.where), data, count: count ?? null },
    actor: input.context.actor ?? null,
    requestId: input.context.requestId ?? null,
    recordedAt: input.recordedAt,
    flushId: input.flushId,
  };
}

function isUpdate(operation: BulkAuditOperation): boolean {
  return operation === 'bulkUpdate' || operation === 'bulkSoftDelete' || operation === 'bulkRestore';
}

/** One row of data, as the audit keeps it. Entities (insert or upsert of instances) give their property values. */
function recordedData(meta: EntityMetadata, policy: FieldPolicy, row: object): Record<string, unknown> {
  const source = row as Record<string, unknown>;
  const fields = Utils.isEntity(row) ? meta.comparableProps.map(p => p.name as string).filter(name => source[name] !== undefined) : Object.keys(source);
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!policy.records(field)) continue;
    out[field] = policy.redacts(field) ? REDACTED : jsonSafe(toAuditValue(meta.properties[field as never], source[field]));
  }
  return out;
}

/** The where-condition, JSON-safe, with the value under every redacted property's key replaced. */
function redactWhere(policy: FieldPolicy, where: unknown): unknown {
  if (Array.isArray(where)) return where.map(item => redactWhere(policy, item));
  if (where === null || typeof where !== 'object' || !Utils.isPlainObject(where)) return jsonSafe(toAuditValue(undefined, where));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(where)) out[key] = policy.redacts(key) ? REDACTED : redactWhere(policy, value);
  return out;
}

/** What JSON can hold: plain objects and arrays walked, dates as ISO strings, anything else (a raw SQL fragment…) as its text. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (Utils.isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return String(value);
}
