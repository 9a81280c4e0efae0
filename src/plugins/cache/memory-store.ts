import { LRUCache } from 'lru-cache';
import { checkMemoryStoreOptions } from './store-options.js';
import type { CachedRow, CacheRead, CacheStore } from './store.js';

export interface MemoryStoreOptions {
  /** Most entries kept (least recently used go first): an integer from 1 to 2^22 (4,194,304). Default 10 000. */
  max?: number;
}

interface Entry {
  readonly ns: string;
  readonly stamp: string;
  readonly value: CachedRow;
}

/**
 * The default store: an in-process LRU (`lru-cache`) bounded by `max` entries, with a TTL per entry.
 * Stamps come from one counter, so a key whose stamp was evicted gets a new value, never an old one.
 * Rows are cloned in and out, so no caller can change what another one reads. A bad `max` throws
 * `PluginConfigError` `MOP_INVALID_OPTIONS` (option `max`) here, at configuration.
 */
export function memoryStore(options: MemoryStoreOptions = {}): CacheStore {
  checkMemoryStoreOptions(options);
  return new MemoryStore(options.max ?? 10_000);
}

class MemoryStore implements CacheStore {
  readonly name = 'memory';
  onEvict: ((ns: string) => void) | undefined;
  #clock = 0;
  readonly #entries: LRUCache<string, Entry>;
  /** Stamp of each key; four times the entries so live ones keep theirs. */
  readonly #stamps: LRUCache<string, number>;
  /** Stamp of each namespace (entity type): few, never evicted. */
  readonly #namespaceStamps = new Map<string, number>();
  /** Variants stored per key, so an invalidation deletes them. */
  readonly #variants = new Map<string, Set<string>>();

  constructor(max: number) {
    this.#entries = new LRUCache<string, Entry>({
      max,
      ttlAutopurge: false,
      dispose: (entry, key, reason) => {
        if (reason === 'evict') this.onEvict?.(entry.ns);
        if (reason !== 'set') this.#forget(key);
      },
    });
    this.#stamps = new LRUCache<string, number>({ max: max * 4 });
  }

  read(ns: string, id: string, variant: string): CacheRead {
    // Every hit's path: the key built once, the entry's key from it.
    const owner = keyOf(ns, id);
    let namespace = this.#namespaceStamps.get(ns);
    if (namespace === undefined) this.#namespaceStamps.set(ns, (namespace = ++this.#clock));
    const stamp = `${namespace}.${this.#get(owner)}`;
    const entry = this.#entries.get(`${owner}\u0001${variant}`);
    return { stamp, value: entry !== undefined && entry.stamp === stamp ? copyRow(entry.value) : undefined };
  }

  fill(ns: string, id: string, variant: string, stamp: string, value: CachedRow, ttlMs: number): boolean {
    if (this.#stampOf(ns, id) !== stamp) return false;
    const key = entryKey(ns, id, variant);
    this.#entries.set(key, { ns, stamp, value: structuredClone(value) }, { ttl: ttlMs });
    const owner = keyOf(ns, id);
    let variants = this.#variants.get(owner);
    if (!variants) this.#variants.set(owner, (variants = new Set()));
    variants.add(key);
    return true;
  }

  invalidate(ns: string, ids: readonly string[]): void {
    for (const id of ids) {
      const owner = keyOf(ns, id);
      this.#stamps.set(owner, ++this.#clock);
      const variants = this.#variants.get(owner);
      if (!variants) continue;
      this.#variants.delete(owner);
      for (const key of variants) this.#entries.delete(key);
    }
  }

  invalidateAll(ns: string): void {
    // Entries of the namespace become unreachable (their stamp no longer matches) and age out of the LRU.
    this.#namespaceStamps.set(ns, ++this.#clock);
  }

  clear(): void {
    this.#entries.clear();
    this.#variants.clear();
    // Stamps stay (and move on), so a fill that started before the clear cannot land.
    this.#clock++;
    this.#stamps.clear();
    this.#namespaceStamps.clear();
  }

  /** `<namespace stamp>.<key stamp>`, each created from the clock when absent. */
  #stampOf(ns: string, id: string): string {
    let namespace = this.#namespaceStamps.get(ns);
    if (namespace === undefined) this.#namespaceStamps.set(ns, (namespace = ++this.#clock));
    return `${namespace}.${this.#get(keyOf(ns, id))}`;
  }

  #get(key: string): number {
    let stamp = this.#stamps.get(key);
    if (stamp === undefined) this.#stamps.set(key, (stamp = ++this.#clock));
    return stamp;
  }

  #forget(key: string): void {
    const owner = key.slice(0, key.lastIndexOf('\u0001'));
    const variants = this.#variants.get(owner);
    if (!variants) return;
    variants.delete(key);
    if (variants.size === 0) this.#variants.delete(owner);
  }
}

const keyOf = (ns: string, id: string) => `${ns}:${id}`;
const entryKey = (ns: string, id: string, variant: string) => `${ns}:${id}\u0001${variant}`;

/**
 * A fresh copy of a cached row for each read. Rows are database-form snapshots, mostly primitives:
 * copying those directly and cloning only the rest is several times cheaper than `structuredClone`
 * of the whole row, which dominated a cache hit.
 */
export function copyRow(row: CachedRow): CachedRow {
  const copy: Record<string, unknown> = {};
  for (const key in row) {
    const value = (row as Record<string, unknown>)[key];
    copy[key] = value === null || typeof value !== 'object' ? value : value instanceof Date ? new Date(value.getTime()) : structuredClone(value);
  }
  return copy as CachedRow;
}
