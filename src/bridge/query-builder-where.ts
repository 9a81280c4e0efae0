import { isRaw, Utils } from '@mikro-orm/core';

/** A builder's where-condition as given, or `raw` once a string or raw() condition took part. */
export type GivenWhere = Record<string, unknown> | undefined | 'raw';

/**
 * Combines a condition given to where/andWhere/orWhere (or delete(cond)) with the ones before, as
 * MikroORM combines them: no operator replaces, `$and`/`$or` wrap or extend. Never changes them.
 */
export function combineWhere(previous: GivenWhere, cond: unknown, operator: string | undefined): GivenWhere {
  if (previous === 'raw' || typeof cond === 'string' || isRaw(cond)) return 'raw';
  const given = cond as Record<string, unknown>;
  // `previous` may be a primary key (`qb.delete(5)`), which has no keys to look at.
  const keys = previous !== null && typeof previous === 'object' ? Reflect.ownKeys(previous) : undefined;
  if (!operator || previous === undefined || keys?.length === 0) return given;
  if (keys?.length === 1 && Array.isArray(previous[operator])) return { [operator]: [...(previous[operator] as unknown[]), given] };
  return { [operator]: [previous, given] };
}

/** `{ 'b.title': … }` on a builder aliased `b` is `{ title: … }` to nativeUpdate. */
export function unaliased(cond: unknown, alias: string): any {
  if (Array.isArray(cond)) return cond.map(c => unaliased(c, alias));
  if (!Utils.isPlainObject(cond)) return cond;
  const prefix = `${alias}.`;
  const out: Record<string | symbol, unknown> = {};
  // Reflect.ownKeys: raw() fragments used as keys are symbols, and must not be dropped.
  for (const key of Reflect.ownKeys(cond as object)) {
    const value = (cond as Record<string | symbol, unknown>)[key];
    if (typeof key === 'symbol') out[key] = value;
    else out[key.startsWith(prefix) ? key.slice(prefix.length) : key] = key.startsWith('$') ? unaliased(value, alias) : value;
  }
  return out;
}
