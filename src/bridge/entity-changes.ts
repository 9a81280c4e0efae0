import type { ChangeSet } from '@mikro-orm/core';
import type { ChangeKind, EntityChanges, FieldChange } from '../events.js';

/** The field diff handed to `afterChange`, in database form (relations as primary keys). */
export function entityChanges(kind: ChangeKind, changeSet: ChangeSet<any>): EntityChanges {
  const fields: Record<string, FieldChange> = {};
  if (kind === 'delete') {
    // The snapshot omits columns never set in this context; the row held NULL there.
    const original = (changeSet.originalEntity ?? {}) as Record<string, unknown>;
    for (const prop of changeSet.meta.comparableProps) fields[prop.name] = { old: original[prop.name] ?? null, new: undefined };
  } else {
    const original = kind === 'update' ? (changeSet.originalEntity as Record<string, unknown> | undefined) : undefined;
    const payload = changeSet.payload as Record<string, unknown>;
    // for…in over a plain object: Object.entries' pair arrays cost more than the diff itself.
    for (const field in payload) fields[field] = { old: original?.[field], new: payload[field] };
  }
  return { kind, fields };
}
