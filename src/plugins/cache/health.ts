import type { HealthCheckResult } from '../../core.js';
import type { HealthReport } from './redis-health.js';
import { testRedisConnection } from './redis-health.js';
import type { CacheStore } from './store.js';

type Check = (store: CacheStore) => HealthCheckResult | Promise<HealthCheckResult> | undefined;

/** Runs `check` on each store (one without the method passes); one report, failures first. */
export async function checkStores(stores: readonly CacheStore[], check: Check): Promise<HealthReport> {
  const reports = await Promise.all(stores.map(store => checkOne(store, check)));
  const failed = reports.filter(r => !r.ok);
  const shown = failed.length > 0 ? failed : reports;
  return { ok: failed.length === 0, message: shown.map(r => r.message).join('; ') };
}

/** `healthCheck()` of a store, or a pass for a store that has none (the memory store). */
export const healthOf: Check = store => store.healthCheck?.();

/** `testConnection()` of a store, else its `healthCheck()`. */
export const connectionOf: Check = store => (store.testConnection ? store.testConnection() : store.healthCheck?.());

/** A connection test of a Redis URL given as the `store` option: a short-lived client, never the running one. */
export function testStoreUrl(url: string, timeoutMs = 2000): Promise<HealthReport> {
  return testRedisConnection(url, undefined, timeoutMs);
}

async function checkOne(store: CacheStore, check: Check): Promise<HealthReport> {
  try {
    const result = await check(store);
    if (result === undefined || result === true) return { ok: true, message: `${store.name}: ok` };
    if (result === false) return { ok: false, message: `${store.name}: not ok` };
    return { ok: result.ok !== false, message: result.message ?? `${store.name}: ${result.ok === false ? 'not ok' : 'ok'}` };
  } catch (error) {
    return { ok: false, message: `${store.name}: ${reasonOf(error)}` };
  }
}

/** What a store threw, as text, whatever it threw: a symbol or a null-prototype object has no text of its own. */
export function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return message;
  if (typeof error === 'string') return error;
  return error === null || (typeof error !== 'object' && typeof error !== 'function' && typeof error !== 'symbol') ? String(error) : `a thrown ${typeof error}`;
}
