import { isRaw, type EntityMetadata } from '@mikro-orm/core';
import { RAW_MARKER } from './json-values.js';
import type { AuditOptions } from './options.js';
import { REDACTED } from './types.js';

/**
 * Which properties an entity's audit rows record, and which they redact, by property path: a root
 * property (`apiKey`), or a property of an embeddable (`address.street`, `address.geo.pin`), inline
 * or object-mode. Naming an embeddable (`address`) covers everything in it. Compiled once per entity.
 */
export interface FieldPolicy {
  readonly meta: EntityMetadata;
  records(path: string): boolean;
  redacts(path: string): boolean;
  /** The path of a key in a change set or in data: flattened embedded properties (`address_street`) map to `address.street`. */
  pathOf(key: string): string;
  /** A value under `path`, with redacted parts replaced and unrecorded parts dropped, at any depth. */
  mask(path: string, value: unknown): unknown;
  /** The answers for one key of a change set, worked out once: its path, whether it is recorded and redacted. */
  field(key: string): FieldRule;
}

export interface FieldRule {
  readonly path: string;
  readonly records: boolean;
  readonly redacts: boolean;
}

const policies = new WeakMap<EntityMetadata, WeakMap<AuditOptions, FieldPolicy>>();

export function fieldPolicy(meta: EntityMetadata, options: AuditOptions): FieldPolicy {
  let byOptions = policies.get(meta);
  if (!byOptions) policies.set(meta, (byOptions = new WeakMap()));
  let policy = byOptions.get(options);
  if (!policy) byOptions.set(options, (policy = compile(meta, options)));
  return policy;
}

/** The path of a property of `meta`, through the embeddables that hold it; the key itself when it names no property. */
export function propertyPath(meta: EntityMetadata, key: string): string {
  const prop = meta.properties[key as never] as { embedded?: [string, string] } | undefined;
  if (!prop?.embedded) return key;
  const [parent, child] = prop.embedded;
  return `${propertyPath(meta, parent)}.${child}`;
}

/** Every name an option may give for `meta`: property names, flattened ones included, and their paths. */
export function knownPaths(meta: EntityMetadata): Set<string> {
  const names = Object.keys(meta.properties);
  return new Set([...names, ...names.map(name => propertyPath(meta, name))]);
}

/** Paths whose answers a policy keeps; enough for every property of any real entity. */
const REMEMBERED_PATHS = 1024;

const within = (path: string, entry: string) => path === entry || path.startsWith(`${entry}.`);

function compile(meta: EntityMetadata, options: AuditOptions): FieldPolicy {
  const paths = (names: readonly string[] | undefined) => names?.map(name => propertyPath(meta, name));
  const include = paths(options.include);
  const exclude = paths(options.exclude) ?? [];
  const redact = paths(options.redact) ?? [];
  // Values are walked only where an option names something inside them; others are kept as they are (toJSON and all).
  const entries = [...(include ?? []), ...exclude, ...redact];
  const rulesUnder = (path: string) => entries.some(entry => entry.startsWith(`${path}.`));
  // Answers per path and key, remembered: every audited change asks them for each of its fields. Paths
  // inside JSON values and keys of bulk data come from the application, so only the first ones are kept.
  const remembered = <T>(answer: (key: string) => T) => {
    const known = new Map<string, T>();
    return (key: string): T => {
      if (known.has(key)) return known.get(key) as T;
      const value = answer(key);
      if (known.size < REMEMBERED_PATHS) known.set(key, value);
      return value;
    };
  };
  const policy: FieldPolicy = {
    meta,
    // With `include`, an embeddable that holds an included property is recorded, pruned to it.
    records: remembered(path => (include ? include.some(entry => within(path, entry) || within(entry, path)) : !exclude.some(entry => within(path, entry)))),
    redacts: remembered(path => redact.some(entry => within(path, entry))),
    pathOf: remembered(key => propertyPath(meta, key)),
    field: remembered(key => {
      const path = policy.pathOf(key);
      return { path, records: policy.records(path), redacts: policy.redacts(path) };
    }),
    mask: (path, value) => {
      if (policy.redacts(path)) return REDACTED;
      if (isRaw(value)) return { $raw: RAW_MARKER };
      if (Array.isArray(value)) return value.map(item => policy.mask(path, item));
      if (!isWalkable(value) || !rulesUnder(path)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const childPath = `${path}.${key}`;
        if (policy.records(childPath)) out[key] = policy.mask(childPath, child);
      }
      return out;
    },
  };
  return policy;
}

/** An embeddable instance or a plain object; dates, buffers and the like are values. */
function isWalkable(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value);
}
