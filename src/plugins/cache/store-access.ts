import { scrubSecrets } from '../../operations/index.js';
import type { CacheMetrics } from './metrics.js';
import type { CachedRow, CacheRead, CacheStore } from './store.js';
import { reasonOf } from './health.js';

/** `true` once a store call that returns nothing has completed. */
const done = (result: void | Promise<void>): true | Promise<true> => (result instanceof Promise ? result.then(() => true as const) : true);

/** Most keys remembered per namespace while a store is down; beyond, the whole namespace is dropped on recovery. */
const MAX_MISSED_KEYS = 1000;

/**
 * Store calls that never throw: a failing store is counted, warned about once per outage, and
 * treated as a miss (reads go to the database). Invalidations it missed are kept and replayed
 * before the store is read again, so it never serves what a commit dropped meanwhile.
 * Sync stores (the memory store) are called without a promise on the way.
 */
export class StoreAccess {
  /** Stores that failed and have not answered since: warned once per outage. */
  readonly #down = new Set<CacheStore>();
  /** Invalidations a failing store missed (`true`: the whole namespace). */
  readonly #missed = new Map<CacheStore, Map<string, Set<string> | true>>();

  constructor(private readonly warn: (message: string) => void) {}

  /** The stamp and entry, or undefined when the store cannot be trusted now (down, or missed invalidations not yet replayed). */
  read(store: CacheStore, ns: string, id: string, variant: string, metrics: CacheMetrics): CacheRead | undefined | Promise<CacheRead | undefined> {
    if (store.isReady !== undefined && !this.#ready(store)) return this.#skip(metrics);
    return this.#read(store, ns, id, variant, metrics);
  }

  /** Not connected: straight to the database, never waiting for the store. */
  #skip(metrics: CacheMetrics): undefined {
    metrics.bypasses++;
    return undefined;
  }

  #read(store: CacheStore, ns: string, id: string, variant: string, metrics: CacheMetrics): CacheRead | undefined | Promise<CacheRead | undefined> {
    if (this.#missed.has(store)) return this.#replay(store).then(clean => (clean ? this.#read(store, ns, id, variant, metrics) : undefined));
    // Called directly, not through #call's closure: this is every cache hit's path.
    let result: ReturnType<CacheStore['read']>;
    try {
      result = store.read(ns, id, variant);
    } catch (error) {
      this.#failed(store, error, metrics);
      return undefined;
    }
    return this.#settled(store, result, metrics);
  }

  /** Stores the row if the stamp is unchanged; whether it did. */
  fill(store: CacheStore, ns: string, id: string, variant: string, stamp: string, row: CachedRow, ttlMs: number, metrics: CacheMetrics): boolean | Promise<boolean> {
    const done = this.#call(store, () => store.fill(ns, id, variant, stamp, row, ttlMs), metrics);
    return done instanceof Promise ? done.then(stored => stored === true) : done === true;
  }

  async invalidate(store: CacheStore, ns: string, ids: readonly string[], metrics: CacheMetrics): Promise<void> {
    if ((await this.#call(store, () => done(store.invalidate(ns, ids)), metrics)) === undefined) this.#remember(store, ns, ids);
  }

  async invalidateAll(store: CacheStore, ns: string, metrics: CacheMetrics | undefined): Promise<void> {
    if ((await this.#call(store, () => done(store.invalidateAll(ns)), metrics)) === undefined) this.#remember(store, ns, true);
  }

  async clear(store: CacheStore): Promise<void> {
    await this.#call(store, () => done(store.clear()), undefined);
  }

  /** `isReady()` of a store: only `true` is ready (one that throws, or answers a promise, is not). */
  #ready(store: CacheStore): boolean {
    try {
      return store.isReady!() === true;
    } catch {
      return false;
    }
  }

  /** Runs a store call: its value, or undefined when it failed (counted, warned once per outage). */
  #call<T>(store: CacheStore, fn: () => T | Promise<T>, metrics: CacheMetrics | undefined): T | undefined | Promise<T | undefined> {
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (error) {
      this.#failed(store, error, metrics);
      return undefined;
    }
    return this.#settled(store, result, metrics);
  }

  /** A store call's result: the value (the store answered), or undefined once a promise rejects (counted, warned once per outage). */
  #settled<T>(store: CacheStore, result: T | Promise<T>, metrics: CacheMetrics | undefined): T | undefined | Promise<T | undefined> {
    if (!(result instanceof Promise)) {
      if (this.#down.size > 0) this.#down.delete(store);
      return result;
    }
    return result.then(
      value => {
        this.#down.delete(store);
        return value;
      },
      error => {
        this.#failed(store, error, metrics);
        return undefined;
      },
    );
  }

  #failed(store: CacheStore, error: unknown, metrics: CacheMetrics | undefined): void {
    if (metrics) metrics.errors++;
    if (this.#down.has(store)) return;
    this.#down.add(store);
    // A store of yours may name its URL in its errors: its credentials are masked.
    this.warn(scrubSecrets(`mikro-orm-plugins: cache store '${store.name}' failed (${reasonOf(error)}); reading from the database until it answers again`));
  }

  #remember(store: CacheStore, ns: string, ids: readonly string[] | true): void {
    let missed = this.#missed.get(store);
    if (!missed) this.#missed.set(store, (missed = new Map()));
    const known = missed.get(ns);
    if (ids === true || known === true || (known?.size ?? 0) + ids.length > MAX_MISSED_KEYS) missed.set(ns, true);
    else missed.set(ns, new Set([...(known ?? []), ...ids]));
  }

  /** Replays the invalidations a store missed; true when it is clean again. */
  async #replay(store: CacheStore): Promise<boolean> {
    const missed = this.#missed.get(store);
    if (!missed) return true;
    try {
      for (const [ns, ids] of missed) {
        await (ids === true ? store.invalidateAll(ns) : store.invalidate(ns, [...ids]));
        missed.delete(ns);
      }
      this.#missed.delete(store);
      this.#down.delete(store);
      return true;
    } catch {
      return false;
    }
  }
}
