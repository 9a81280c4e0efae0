import { DeleteRefusedError } from './errors.js';

export function refuseNoDelete(entity: string): DeleteRefusedError {
  return new DeleteRefusedError(entity, "policy 'noDelete' refuses every delete; withoutPlugins(['softDelete'], …) deletes anyway");
}

// A bulk UPDATE has no entities, so the children could not get their own hooks (events, audit rows).
export function refuseBulkCascade(entity: string): DeleteRefusedError {
  return new DeleteRefusedError(
    entity,
    "policy 'softCascade': em.nativeDelete cannot cascade to the children; pass { perRow: true } to soft-delete through a flush, or { hard: true } to delete for real",
  );
}
