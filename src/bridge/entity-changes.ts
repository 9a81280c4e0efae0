import type { ChangeSet } from '@mikro-orm/core';
import type { ChangeKind, EntityChanges, FieldChange } from '../events.js';

/** The field diff handed to `afterChange`, in database form (relations as primary keys). */
export function entityChanges(kind: ChangeKind, changeSet: ChangeSet<any>): EntityChanges {
  const fields: Record<string, FieldChange> = {};
  if (kind === 'delete') {
    for (const [field, value] of Object.entries(changeSet.originalEntity ?? {})) fields[field] = { old: value, new: undefined };
  } else {
    const original = kind === 'update' ? (changeSet.originalEntity as Record<string, unknown> | undefined) : undefined;
    for (const [field, value] of Object.entries(changeSet.payload as Record<string, unknown>)) {
      fields[field] = { old: original?.[field], new: value };
    }
  }
  return { kind, fields };
}
