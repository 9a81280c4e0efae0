import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { ActorContext, EntityChanges, FieldChange } from '../../core.js';
import { fieldPolicy, type FieldPolicy, type FieldRule } from './field-policy.js';
import { holdsRaw, sameAuditValue, toAuditValue } from './json-values.js';
import type { AuditOptions } from './options.js';
import { REDACTED, type AuditChanges, type AuditRecord, type EntityAuditOperation } from './types.js';

/** What every record of one batch shares: the entity class, its options, who, which flush and when. */
export interface BatchInput {
  readonly meta: EntityMetadata;
  readonly options: AuditOptions;
  /** The softDelete plugin's field on this entity, if it has the plugin. */
  readonly softDeleteField: string | undefined;
  readonly context: Readonly<ActorContext>;
  readonly flushId: string;
  readonly recordedAt: Date;
}

/** One field's answers, looked up once per batch: its property and the policy's rule. */
interface FieldEntry {
  readonly prop: EntityProperty | undefined;
  readonly rule: FieldRule;
}

/**
 * Builds the audit records of one batch of changes of one entity class (one call per flush and
 * class, or per change when the hook runs per entity). What the records share is worked out once.
 */
export class RecordBuilder {
  readonly #input: BatchInput;
  readonly #policy: FieldPolicy;
  readonly #fields = new Map<string, FieldEntry>();

  constructor(input: BatchInput) {
    this.#input = input;
    this.#policy = fieldPolicy(input.meta, input.options);
  }

  /** The audit record of one change, redacted; `undefined` for an update that changed nothing recorded. */
  build(entity: object, changes: EntityChanges, entityId: string): AuditRecord | undefined {
    const input = this.#input;
    const kind = changes.kind;
    const operation = operationOf(changes, input.softDeleteField);
    const recorded: AuditChanges = {};
    const fields = changes.fields as Record<string, FieldChange | undefined>;
    for (const field in fields) this.#record(recorded, kind, entity, field, fields[field]);
    // A create's full row: the INSERT payload lists only the columns it set, so the other columns come
    // from the entity after the insert, or are NULL when it has neither a value nor a database default.
    if (kind === 'create') {
      for (const prop of input.meta.comparableProps) {
        if (fields[prop.name]) continue;
        const value = (entity as Record<string, unknown>)[prop.name];
        if (value !== undefined) this.#record(recorded, kind, entity, prop.name, { old: null, new: value });
        else if (prop.default === undefined && prop.defaultRaw === undefined) this.#record(recorded, kind, entity, prop.name, { old: null, new: null });
      }
    }
    if (operation === 'update' && input.options.ignoreNoopUpdates && isEmpty(recorded)) return undefined;
    return {
      id: undefined,
      entity: input.meta.className,
      entityId,
      operation,
      changes: recorded,
      actor: input.context.actor ?? null,
      requestId: input.context.requestId ?? null,
      recordedAt: input.recordedAt,
      flushId: input.flushId,
    };
  }

  #record(recorded: AuditChanges, kind: EntityChanges['kind'], entity: object, field: string, change: FieldChange | undefined): void {
    if (!change) return;
    const { prop, rule } = this.#entry(field);
    if (!rule.records) return;
    const old = kind === 'create' ? null : toAuditValue(prop, change.old);
    const now = kind === 'delete' ? null : toAuditValue(prop, newValue(entity, field, change.new));
    if (kind === 'update' && sameAuditValue(old, now)) return;
    // Masked per side: an embeddable recorded whole may hold redacted or excluded properties.
    recorded[field] = rule.redacts ? redacted(kind, old, now) : [masked(this.#policy, rule.path, old), masked(this.#policy, rule.path, now)];
  }

  #entry(field: string): FieldEntry {
    let entry = this.#fields.get(field);
    if (entry === undefined) this.#fields.set(field, (entry = { prop: this.#input.meta.properties[field as never], rule: this.#policy.field(field) }));
    return entry;
  }
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** A primitive (most values, dates included once made ISO strings) has nothing to mask. */
function masked(policy: FieldPolicy, path: string, value: unknown): unknown {
  return value === null || typeof value !== 'object' ? value : policy.mask(path, value);
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
