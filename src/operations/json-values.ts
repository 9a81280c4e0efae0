/**
 * Options as JSON: functions, class instances (a zod schema…) and cycles become short markers. Below
 * the top level, a plain object with methods (a cache store, a sink written as an object literal) is a
 * service, not data: it is shown as `[Object]`, as a class instance is, so a field it holds (a password)
 * never reaches output or `plugin_state`. `expandServices` keeps their data fields, for grouping options only.
 */
export function jsonSafe(value: unknown, expandServices = false): unknown {
  return toJson(value, new Set(), 0, expandServices);
}

function toJson(value: unknown, seen: Set<object>, depth: number, expandServices: boolean): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined') return undefined;
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map(v => toJson(v, seen, depth + 1, expandServices) ?? null);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `[${(value as object).constructor?.name ?? 'object'}]`;
    const entries = Object.entries(value);
    if (depth > 0 && !expandServices && entries.some(([, v]) => typeof v === 'function')) return '[Object]';
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const safe = toJson(v, seen, depth + 1, expandServices);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
