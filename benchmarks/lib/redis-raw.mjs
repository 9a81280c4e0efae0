// The raw Redis baseline of the cache benchmark: one ioredis GET of a row the Redis store serialised,
// plus the v8 deserialize the store does on a hit; and INFO commandstats around a timed operation, to
// split a hit's time into server side (the read script, its INFO call) and client side.
import { deserialize } from 'node:v8';
import { Redis } from 'ioredis';

const escapeRe = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Copies the store's entries under `storePrefix` (value without its `<stamp>|`) to `<rawPrefix><id>`.
 * Returns how many, and the namespace of the entries for a read with no variant (`…:e:<id>:0`).
 */
async function copyEntries(client, storePrefix, rawPrefix) {
  const ids = new Set();
  const entryKey = new RegExp(`^${escapeRe(storePrefix)}(.+):e:([^:]+):([^:]+)$`);
  let ns;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${storePrefix}*:e:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const [, space, id, variant] = entryKey.exec(key) ?? [];
      const entry = await client.getBuffer(key);
      if (!id || !entry) continue;
      if (variant === '0') ns = space;
      await client.set(`${rawPrefix}${id}`, entry.subarray(entry.indexOf(0x7c) + 1)); // after '|'
      ids.add(id);
    }
  } while (cursor !== '0');
  return { copied: ids.size, ns };
}

/**
 * A raw client and two variants, each after `fill()` (the store's own findOne hits, once):
 * r, a GET + deserialize per id; s, the store's `read()` per id (the store alone, no ORM, no plugin).
 */
export function rawBaseline({ store, storePrefix, rawPrefix, ids, fill }) {
  const client = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  let copy;
  const prepare = async () => {
    if (copy) return;
    // Until the store has connected every lookup skips the cache (it never waits on Redis), and nothing is filled.
    await store.ready();
    await fill();
    copy = await copyEntries(client, storePrefix, rawPrefix);
    if (copy.copied === 0 || copy.ns === undefined) throw new Error(`no Redis store entry under ${storePrefix}: the raw baseline has nothing to read`);
  };
  const raw = {
    prepare,
    op: async () => {
      const start = performance.now();
      for (const id of ids) deserialize(await client.getBuffer(`${rawPrefix}${id}`));
      return performance.now() - start;
    },
  };
  const storeRead = {
    prepare,
    op: async () => {
      const start = performance.now();
      let misses = 0;
      for (const id of ids) if ((await store.read(copy.ns, String(id), '{}')).value === undefined) misses++;
      const ms = performance.now() - start;
      if (misses > 0) throw new Error(`the store's read missed ${misses} of ${ids.length} entries: s would not time hits`);
      return ms;
    },
  };
  return { client, raw, storeRead };
}

async function commandstats(client) {
  const text = await client.info('commandstats');
  const stats = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return stats;
}

/**
 * Wraps a variant's `op` so each timed sample records the server's commandstats delta (read outside
 * the timing). Redis counts commands a script runs under their own names too (7.x), and every client of
 * this Redis is counted: other processes' commands land in the same totals.
 */
export function withServerCost(client, variant, deltas) {
  return {
    ...variant,
    op: async () => {
      const before = await commandstats(client);
      const ms = await variant.op();
      const after = await commandstats(client);
      const delta = {};
      for (const [cmd, a] of Object.entries(after)) {
        const calls = a.calls - (before[cmd]?.calls ?? 0);
        if (calls > 0) delta[cmd] = { calls, usec: a.usec - (before[cmd]?.usec ?? 0) };
      }
      deltas.push(delta);
      return ms;
    },
  };
}

/** Per command: calls and server µs per call, median over the samples (warm-up included). */
export function serverCost(deltas) {
  const cmds = new Set(deltas.flatMap(d => Object.keys(d)));
  const med = xs => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? null : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const out = {};
  for (const cmd of cmds) {
    const per = deltas.filter(d => d[cmd]);
    out[cmd] = { callsPerSample: med(per.map(d => d[cmd].calls)), usecPerCall: Math.round(med(per.map(d => d[cmd].usec / d[cmd].calls)) * 100) / 100 };
  }
  return out;
}
