import type { AuditOptions } from './options.js';

/** Which properties an entity's audit rows record, and which they redact. Compiled once per options object. */
export interface FieldPolicy {
  records(field: string): boolean;
  redacts(field: string): boolean;
}

const policies = new WeakMap<AuditOptions, FieldPolicy>();

export function fieldPolicy(options: AuditOptions): FieldPolicy {
  let policy = policies.get(options);
  if (!policy) {
    const include = options.include ? new Set(options.include) : undefined;
    const exclude = new Set(options.exclude);
    const redact = new Set(options.redact);
    policy = {
      records: field => (include ? include.has(field) : !exclude.has(field)),
      redacts: field => redact.has(field),
    };
    policies.set(options, policy);
  }
  return policy;
}
