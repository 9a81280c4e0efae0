import { isRaw, ReferenceKind, Utils, type EntityMetadata } from '@mikro-orm/core';
import type { ActorContext } from '../../core.js';
import { fieldPolicy, propertyPath, type FieldPolicy } from './field-policy.js';
import { RAW_MARKER, toAuditValue } from './json-values.js';
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
  /** The policy of a related entity a where-condition goes through; undefined when it is not audited. */
  readonly policyOf: (meta: EntityMetadata) => FieldPolicy | undefined;
  readonly context: Readonly<ActorContext>;
  readonly flushId: string;
  readonly recordedAt: Date;
}

/**
 * The audit record of one native or bulk operation, redacted: `data` keeps the recorded properties
 * (`include`/`exclude`) with redacted ones as `"[redacted]"`; in `where`, the value under any key
 * naming a redacted property is replaced whole, at any depth (inside `$or`, `$in`, embeddables, and
 * through relations with the related entity's own policy), since the condition may carry the secret
 * itself; raw() fragments become `{ $raw: '[raw SQL]' }`. `undefined` when the operation changed nothing (no row
 * affected, or an update of unrecorded properties only) and `ignoreNoopUpdates` is on.
 */
export function buildBulkRecord(input: BulkInput): BulkAuditRecord | undefined {
  const { meta, options, count } = input;
  const policy = fieldPolicy(meta, options);
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
    changes: { where: redactWhere({ meta, policy, path: '' }, input.where, input.policyOf), data, count: count ?? null },
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
    const path = policy.pathOf(field);
    if (policy.records(path)) out[field] = jsonSafe(policy.mask(path, toAuditValue(meta.properties[field as never], source[field])));
  }
  return out;
}

/** Where a where-condition is: on an entity (`path` empty) or inside one of its embeddables. */
interface WhereScope {
  readonly meta: EntityMetadata;
  readonly policy: FieldPolicy | undefined;
  readonly path: string;
}

/**
 * The where-condition, JSON-safe, with the value under every redacted property's key replaced.
 * Raw fragments are kept as a marker, never dropped: `{}` would read as "every row".
 */
function redactWhere(scope: WhereScope, where: unknown, policyOf: BulkInput['policyOf']): unknown {
  if (isRaw(where)) return { $raw: RAW_MARKER };
  if (Array.isArray(where)) return where.map(item => redactWhere(scope, item, policyOf));
  if (where === null || typeof where !== 'object' || !Utils.isPlainObject(where)) return jsonSafe(toAuditValue(undefined, where));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(where)) out[key] = redactEntry(scope, key, value, policyOf);
  // raw() used as a key is a symbol, which Object.entries skips.
  if (Object.getOwnPropertySymbols(where).length > 0) out.$raw = RAW_MARKER;
  return out;
}

function redactEntry(scope: WhereScope, key: string, value: unknown, policyOf: BulkInput['policyOf']): unknown {
  // Operators ($or, $in, $eq…) stay on the property or entity they are under.
  if (key.startsWith('$')) return redactWhere(scope, value, policyOf);
  const dot = key.indexOf('.');
  if (dot > 0) {
    // A dotted key ('customer.apiKey') is judged as the nested condition it stands for.
    const [head, rest] = [key.slice(0, dot), key.slice(dot + 1)];
    const inner = redactEntry(scope, head, { [rest]: value }, policyOf);
    return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>)[rest] : inner;
  }
  const path = scope.path ? `${scope.path}.${key}` : propertyPath(scope.meta, key);
  if (scope.policy?.redacts(path)) return REDACTED;
  const prop = scope.path ? undefined : scope.meta.properties[key as never];
  const related = prop && prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.EMBEDDED ? prop.targetMeta : undefined;
  const next: WhereScope = related ? { meta: related, policy: policyOf(related), path: '' } : { ...scope, path };
  return redactWhere(next, value, policyOf);
}

/** What JSON can hold: plain objects and arrays walked, dates as ISO strings, raw SQL fragments as a marker, anything else as its text. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isRaw(value)) return { $raw: RAW_MARKER };
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (Utils.isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return String(value);
}
