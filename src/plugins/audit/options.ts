import type { OptionIssue, OptionsTarget } from '../../core.js';
import { knownPaths } from './field-policy.js';

/** Per-entity options of the audit plugin: `{ audit: { exclude: ['updatedAt'], redact: ['password'] } }`. */
export interface AuditOptions {
  /** Record only these properties. Exclusive with `exclude`. */
  include?: readonly string[];
  /** Never record these properties. */
  exclude: readonly string[];
  /** Record that these properties changed, with `"[redacted]"` in place of every value. */
  redact: readonly string[];
  /** Write no row for an update that leaves every recorded property as it was. Default `true`. */
  ignoreNoopUpdates: boolean;
}

declare module '../../plugin-api.js' {
  interface PluginOptionsMap {
    audit: Partial<AuditOptions>;
  }
}

export const auditDefaults: Partial<AuditOptions> = { exclude: [], redact: [], ignoreNoopUpdates: true };

const isNameList = (value: unknown) => Array.isArray(value) && value.every(v => typeof v === 'string' && v !== '');

/**
 * Shape checks; property names are checked against the entity once discovery is done (at start-up by
 * `auditLog()`, here for a live edit, which gets the entity's metadata): a misspelt `redact` would leak.
 */
export function validateAuditOptions(o: AuditOptions, target?: OptionsTarget): OptionIssue[] {
  const issues: OptionIssue[] = [];
  for (const key of ['include', 'exclude', 'redact'] as const) {
    if (o[key] !== undefined && !isNameList(o[key])) issues.push({ option: key, expected: 'an array of property names' });
  }
  if (o.include !== undefined && isNameList(o.exclude) && o.exclude.length > 0) issues.push({ option: 'include', expected: "either 'include' or 'exclude', not both" });
  if (typeof o.ignoreNoopUpdates !== 'boolean') issues.push({ option: 'ignoreNoopUpdates', expected: 'a boolean' });
  if (target?.meta && issues.length === 0) {
    const known = knownPaths(target.meta);
    for (const key of FIELD_OPTIONS) {
      const missing = o[key]?.filter(field => !known.has(field)) ?? [];
      if (missing.length > 0) issues.push({ option: key, expected: `properties of ${target.entity} (no property ${missing.map(m => `'${m}'`).join(', ')})` });
    }
  }
  return issues;
}

/** Option names whose properties must exist on the entity. */
export const FIELD_OPTIONS = ['include', 'exclude', 'redact'] as const;
