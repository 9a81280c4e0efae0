import type { EntityManager, EntityName } from '@mikro-orm/core';
import { fromAuditValue } from './json-values.js';
import { invalidArgument, metadataOf } from '../../core.js';
import { checkPk, isValidDate, rowsUntil } from './history.js';

/**
 * The entity's recorded field values at `when`, rebuilt from its audit rows: every change
 * recorded at or before `when` counts (inclusive). `null` when the entity did not exist then
 * (before its create, after its delete); a soft-deleted entity still exists, with its
 * soft-delete field set. Relations come back as primary keys, date properties as `Date`s,
 * redacted fields as `"[redacted]"`; excluded fields, and fields never changed since auditing
 * began for an entity created before that, are absent.
 */
export async function stateAt(em: EntityManager, entity: EntityName<any> | string, pk: unknown, when: Date): Promise<Record<string, unknown> | null> {
  const meta = metadataOf(em, entity);
  checkPk('stateAt', pk);
  if (!isValidDate(when)) throw invalidArgument('stateAt', 'when', 'a valid Date', when);
  let state: Record<string, unknown> | null = null;
  for (const row of await rowsUntil(em, meta, pk, when)) {
    if (row.operation === 'delete') {
      state = null;
      continue;
    }
    if (row.operation === 'create') state = {};
    state ??= {};
    for (const [field, [, value]] of Object.entries(row.changes)) state[field] = fromAuditValue(meta.properties[field], value);
  }
  return state;
}
