import type { EntityMetadata } from '@mikro-orm/core';
import type { ActorContext, EntityChanges, FieldChange } from '../../core.js';
import { fieldPolicy, type FieldPolicy } from './field-policy.js';
import { holdsRaw, sameAuditValue, toAuditValue } from './json-values.js';
import type { AuditOptions } from './options.js';
import { REDACTED, type AuditChanges, type AuditRecord, type EntityAuditOperation } from './types.js';

export interface RecordInput {
  readonly meta: EntityMetadata;
  readonly entity: object;
  readonly changes: EntityChanges;
  readonly options: AuditOptions;
  /** The softDelete plugin's field on this entity, if it has the plugin. */
  readonly softDeleteField: string | undefined;
  readonly entityId: string;
  readonly context: Readonly<ActorContext>;
  readonly flushId: string;
  readonly recordedAt: Date;
}

/** The audit record of one change, redacted; `undefined` for an update that changed nothing recorded. */
export function buildRecord(input: RecordInput): AuditRecord | undefined {
  const { meta, changes, options } = input;
  const operation = operationOf(changes, input.softDeleteField);
  const policy = fieldPolicy(meta, options);
  const recorded: AuditChanges = {};
  for (const [field, change] of Object.entries(changes.kind === 'create' ? createSnapshot(meta, input.entity, changes) : changes.fields)) {
    const rule = policy.field(field);
    if (!change || !rule.records) continue;
    const prop = meta.properties[field];
    const old = changes.kind === 'create' ? null : toAuditValue(prop, change.old);
    const now = changes.kind === 'delete' ? null : toAuditValue(prop, newValue(input.entity, field, change.new));
    if (changes.kind === 'update' && sameAuditValue(old, now)) continue;
    // Masked per side: an embeddable recorded whole may hold redacted or excluded properties.
    recorded[field] = rule.redacts ? redacted(changes.kind, old, now) : [masked(policy, rule.path, old), masked(policy, rule.path, now)];
  }
  if (operation === 'update' && options.ignoreNoopUpdates && Object.keys(recorded).length === 0) return undefined;
  return {
    id: undefined,
    entity: meta.className,
    entityId: input.entityId,
    operation,
    changes: recorded,
    actor: input.context.actor ?? null,
    requestId: input.context.requestId ?? null,
    recordedAt: input.recordedAt,
    flushId: input.flushId,
  };
}

/** A primitive (most values, dates included once made ISO strings) has nothing to mask. */
function masked(policy: FieldPolicy, path: string, value: unknown): unknown {
  return value === null || typeof value !== 'object' ? value : policy.mask(path, value);
}

/**
 * A create's full row: the INSERT payload lists only the columns it set, so the other columns come
 * from the entity after the insert, or are NULL when it has neither a value nor a database default.
 */
function createSnapshot(meta: EntityMetadata, entity: object, changes: EntityChanges): EntityChanges['fields'] {
  const fields: Record<string, FieldChange | undefined> = { ...changes.fields };
  for (const prop of meta.comparableProps) {
    if (fields[prop.name]) continue;
    const value = (entity as Record<string, unknown>)[prop.name];
    if (value !== undefined) fields[prop.name] = { old: null, new: value };
    else if (prop.default === undefined && prop.defaultRaw === undefined) fields[prop.name] = { old: null, new: null };
  }
  return fields;
}

/**
 * A JSON value holding a raw() fragment reaches the change set already as text, with MikroORM's
 * `raw('…')` in it; the entity still holds the fragment, which becomes the marker.
 */
function newValue(entity: object, field: string, changed: unknown): unknown {
  const current = (entity as Record<string, unknown>)[field];
  return holdsRaw(current) ? current : changed;
}

/** An update of the soft-delete field from null to a date is a soft delete; back to null, a restore. */
function operationOf(changes: EntityChanges, softDeleteField: string | undefined): EntityAuditOperation {
  if (changes.kind !== 'update' || softDeleteField === undefined) return changes.kind;
  const change = changes.fields[softDeleteField];
  if (!change) return 'update';
  if (change.old == null && change.new != null) return 'softDelete';
  if (change.old != null && change.new == null) return 'restore';
  return 'update';
}

/** Every value is replaced; only the `null` that marks "no row yet" (create) or "no row any more" (delete) stays. */
function redacted(kind: EntityChanges['kind'], old: unknown, now: unknown): [unknown, unknown] {
  return [kind === 'create' ? old : REDACTED, kind === 'delete' ? now : REDACTED];
}
