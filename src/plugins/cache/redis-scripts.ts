// The Redis store's Lua scripts. Stamps: `<run>:<namespace stamp>.<key stamp>`. The run is the server's
// run_id (new at every start of redis-server), so nothing stored before a restart is served after it,
// even when the server reloads a dump that predates invalidations it acknowledged, or one taken while an
// instance could not reach it. The two counters come from one clock per key prefix that never runs behind
// the server clock (microseconds), so a stamp that was evicted or expired is recreated with a value no
// entry can carry. Entries are `<stamp>|<v8-serialized row>`.
//
// A hit does not run a script: it is one MGET of both counters and the entry, checked against the run id
// the store learnt (RUN_ID) when its connection became ready (src/plugins/cache/redis-run-id.ts). READ runs
// when a counter is missing (it creates it) or the run id of the connection is not known.

const RUN = `
local function run()
  local info = redis.pcall('INFO', 'server')
  if type(info) ~= 'string' then return '' end
  return string.sub(string.match(info, 'run_id:(%x+)') or '', 1, 16)
end
`;
const STAMP = `
local function stamp(key, ttl)
  local v = redis.call('GET', key)
  if v then return v end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local c = redis.call('INCR', KEYS[1])
  if c < now then redis.call('SET', KEYS[1], string.format('%.0f', now)); c = now end
  v = string.format('%.0f', c)
  if ttl == '0' then redis.call('SET', key, v) else redis.call('SET', key, v, 'PX', ttl) end
  return v
end
`;
/** No keys. The run part of a stamp, as the other scripts compute it: learnt once per connection. */
export const RUN_ID = `${RUN}
return run()
`;
/** KEYS: clock, namespace stamp, key stamp, entry. ARGV: stamp ttl. Returns { stamp, row? }. */
export const READ = `${RUN}${STAMP}
local s = run() .. ':' .. stamp(KEYS[2], '0') .. '.' .. stamp(KEYS[3], ARGV[1])
local e = redis.call('GET', KEYS[4])
if e and string.sub(e, 1, string.len(s) + 1) == s .. '|' then return { s, string.sub(e, string.len(s) + 2) } end
return { s }
`;
/** KEYS: namespace stamp, key stamp, entry, variants. ARGV: stamp, row, ttl, stamp ttl. Stores only under an unchanged stamp. */
export const FILL = `${RUN}
local a = redis.call('GET', KEYS[1])
local b = redis.call('GET', KEYS[2])
if not a or not b or (run() .. ':' .. a .. '.' .. b) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[4], KEYS[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;
/** KEYS: clock, then (key stamp, variants) pairs. ARGV: stamp ttl. Bumps each key's stamp, then deletes its entries. */
export const INVALIDATE = `${STAMP}
for i = 2, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  stamp(KEYS[i], ARGV[1])
  local entries = redis.call('SMEMBERS', KEYS[i + 1])
  for _, e in ipairs(entries) do redis.call('DEL', e) end
  redis.call('DEL', KEYS[i + 1])
end
return 1
`;
/** KEYS: clock, namespace stamp. */
export const INVALIDATE_ALL = `${STAMP}
redis.call('DEL', KEYS[2])
stamp(KEYS[2], '0')
return 1
`;

/** The scripts as ioredis commands of a client. */
export interface StoreCommands {
  mopCacheRunId(): Promise<string>;
  mopCacheReadBuffer(...args: (string | number)[]): Promise<Buffer[]>;
  mopCacheFill(...args: (string | number | Buffer)[]): Promise<number>;
  mopCacheInvalidate(...args: (string | number)[]): Promise<number>;
  mopCacheInvalidateAll(...args: (string | number)[]): Promise<number>;
}

/** Defines the scripts on a client, once (a client of yours shared by several stores keeps one set). */
export function defineScripts(client: import('ioredis').Redis): void {
  if (typeof (client as unknown as { mopCacheRunId?: unknown }).mopCacheRunId === 'function') return;
  client.defineCommand('mopCacheRunId', { numberOfKeys: 0, lua: RUN_ID });
  client.defineCommand('mopCacheRead', { numberOfKeys: 4, lua: READ });
  client.defineCommand('mopCacheFill', { numberOfKeys: 4, lua: FILL });
  client.defineCommand('mopCacheInvalidate', { lua: INVALIDATE });
  client.defineCommand('mopCacheInvalidateAll', { numberOfKeys: 2, lua: INVALIDATE_ALL });
}
