// An app whose every secret-bearing option holds a planted secret, and the means to capture all it prints.
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defineEntity, p, type EntityMetadata, type Options } from '@mikro-orm/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { CachePlugin, redisStore } from '../../src/cache.js';
import { pluginOperations } from '../../src/operations/index.js';
import { plugin, pluginSystem, PluginRegistry, usePlugins, type SetupContext } from '../../src/index.js';
import { sparePort } from './cache-redis.js';
import type { TestOrm } from './databases.js';

declare module '../../src/plugin-api.js' {
  interface PluginOptionsMap {
    vault: { token?: string; pin?: number; creds?: { user: string; pass: string }; keys?: string[]; endpoint?: string };
  }
}

/** Every planted secret starts with TAG (or is PIN): output holding either leaked one. */
export const TAG = `qxz${Math.random().toString(36).slice(2, 10)}`;
export const PIN = 9_000_000_000 + Math.floor(Math.random() * 900_000_000);
export const LEAK = new RegExp(`${TAG}|${PIN}`, 'i');

export const S = {
  token: `${TAG}tok`,
  creds: { user: 'keeper', pass: `${TAG}obj` },
  keys: [`${TAG}arr1`, `${TAG}arr2`],
  /** A password in a non-secret option (a URL with credentials). */
  endpoint: `https://svc:${TAG}url@api.example.test/v1`,
  /** The cache's `store` option: a Redis URL with a password, on a port nothing listens on. */
  redisUrl: (port: number) => `redis://mop:${TAG}rds@127.0.0.1:${port}/0`,
  ioredisPassword: `${TAG}ior`,
  clientPassword: `${TAG}cli`,
  boxUrl: `memcached://box:${TAG}box@127.0.0.1:11211`,
};

export const VALID_VAULT = { token: S.token, pin: PIN, creds: S.creds, keys: S.keys, endpoint: S.endpoint };

/** The vault plugin: options of every type marked secret, and checks whose messages quote them all. */
export function secretsRegistry(): PluginRegistry {
  const registry = new PluginRegistry().registerMany({ cache: CachePlugin });
  @plugin({
    name: 'vault',
    registry,
    options: {
      fields: {
        token: { type: 'string', secret: true, required: true, pattern: '[A-Za-z0-9]+' },
        pin: { type: 'integer', secret: true },
        creds: { type: 'object', secret: true },
        keys: { type: 'array', secret: true, max: 2 },
        endpoint: { type: 'string', pattern: 'https://.+' },
      },
      live: ['endpoint'],
      // A plugin author quoting values in a message, as many do.
      validate: o => (o.creds?.user === 'refused' ? [{ option: 'creds', expected: `credentials other than ${o.creds.pass} (pin ${o.pin}, key ${o.keys?.[0]})` }] : []),
    },
  })
  class Vault {
    options: Record<string, unknown> = {};
    setupEntity(_meta: EntityMetadata, { options }: SetupContext<any>) {
      this.options = options;
      if (options.creds?.user === 'jammed') throw new Error(`cannot open the vault: ${quoteAll(options)}`);
    }
    beforeCreate(entity: { name: string }) {
      if (entity.name === 'boom') throw new Error(`rejected by the vault: ${quoteAll(this.options)}`);
    }
    afterCommit(entity: { name: string }) {
      if (entity.name === 'late') throw new Error(`audit copy failed: ${quoteAll(this.options)}`);
    }
    healthCheck(): never {
      // A URL with credentials that is in no option: masked by the URL rule alone.
      throw new Error(`vault unreachable: ${quoteAll(this.options)}; backup https://ops:${TAG}bak@backup.example.test`);
    }
    testConnection(options: Record<string, unknown>) {
      return { ok: false, message: `refused: ${quoteAll(options)}` };
    }
  }
  void Vault;
  return registry;
}

/** Each secret as a library's message would show it: bare, inside JSON, URL-decoded. */
function quoteAll(o: Record<string, any>): string {
  return `token ${o.token}, pin ${o.pin}, pass ${o.creds?.pass}, creds ${JSON.stringify(o.creds)}, keys ${o.keys?.join('+')}, url ${o.endpoint}`;
}

const opened: (() => Promise<void>)[] = [];

/** Closes the stores and clients the entities were given (the plugin closes only those it created). */
export async function closeStores(): Promise<void> {
  for (const close of opened.splice(0)) await close();
}

const props = { id: p.integer().primary(), name: p.string() };

/** The app's entities; `vault`: the vault options of Safe (valid by default); `store`: Cached's cache store option. */
export function secretsEntities(ports: { url: number; ioredis: number; client: number }, vault: Record<string, unknown> = VALID_VAULT, store?: unknown) {
  const Safe = usePlugins(defineEntity({ name: 'Safe', properties: props }), [{ vault }, { cache: { store: (store ?? S.redisUrl(ports.url)) as string } }]);
  const locker = redisStore({ url: `redis://127.0.0.1:${ports.ioredis}`, redisOptions: { password: S.ioredisPassword, username: 'mop' }, healthTimeoutMs: 1000 });
  const Locker = usePlugins(defineEntity({ name: 'Locker', properties: props }), [{ cache: { store: locker } }]);
  const client = new Redis({ port: ports.client, password: S.clientPassword, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  const drawer = redisStore({ client, healthTimeoutMs: 1000 });
  const Drawer = usePlugins(defineEntity({ name: 'Drawer', properties: props }), [{ cache: { store: drawer } }]);
  opened.push(() => locker.close(), () => drawer.close(), async () => client.disconnect());
  // A store of your own, a plain object holding its URL, whose errors quote that URL.
  const fail = (): never => {
    throw new Error(`cannot reach ${S.boxUrl}`);
  };
  const box = { name: 'box', url: S.boxUrl, password: `${TAG}pwd`, read: fail, fill: fail, invalidate: fail, invalidateAll: fail, clear: fail, healthCheck: fail };
  const Box = usePlugins(defineEntity({ name: 'Box', properties: props }), [{ cache: { store: box } }]);
  return [Safe, Locker, Drawer, Box];
}

/** Options for an ORM on the test database (a file for SQLite, so a second start sees the same data). */
export function secretsOptions(orm: TestOrm | undefined, entities: unknown[], sqliteFile?: string): Options {
  const keys = ['driver', 'dbName', 'host', 'port', 'user', 'password'] as const;
  const connection = orm ? Object.fromEntries(keys.map(key => [key, orm.config.get(key)]).filter(([, v]) => v !== undefined)) : {};
  if (sqliteFile) connection.dbName = sqliteFile;
  return {
    ...connection,
    entities,
    extensions: [pluginSystem({ registry: secretsRegistry() }), pluginOperations({ state: { pollInterval: false } })],
    allowGlobalContext: true,
  } as Options;
}

export const scratchFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'mop-secrets-')), name);

/** Everything an error shows: message, stack, JSON, util.inspect, every cause down the chain, every own field. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const e = current as Error & Record<string, unknown>;
    parts.push(String(e?.message), String(e?.stack), safeJson(e), inspect(e, { depth: 10 }), safeJson({ ...e }));
    current = e?.cause;
  }
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Every row of every table, as JSON. */
export async function allRows(orm: TestOrm): Promise<string> {
  const connection = orm.em.getConnection();
  const driver = orm.config.get('driver')?.name ?? '';
  const tables = driver.includes('Sqlite')
    ? await connection.execute<{ name: string }[]>("select name from sqlite_master where type = 'table'")
    : driver.includes('PostgreSql')
      ? await connection.execute<{ name: string }[]>("select tablename as name from pg_tables where schemaname = 'public'")
      : await connection.execute<{ name: string }[]>('select table_name as name from information_schema.tables where table_schema = database()');
  const quote = (name: string) => orm.em.getPlatform().quoteIdentifier(name);
  const dump: Record<string, unknown> = {};
  for (const { name } of tables) dump[name] = await connection.execute(`select * from ${quote(name)}`);
  if (!('plugin_state' in dump)) throw new Error(`no plugin_state table among ${Object.keys(dump).join(', ')}`);
  return JSON.stringify(dump);
}

/**
 * A server speaking the Redis protocol that refuses every command the way Redis refuses an unknown
 * one, quoting its arguments (`ERR unknown command 'auth', with args beginning with: 'user' 'pass'`):
 * a connection's password then comes back inside an error message.
 */
export async function quotingRedis(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(socket => {
    let buffer = '';
    socket.on('error', () => {});
    socket.on('data', chunk => {
      buffer += chunk.toString('utf8');
      for (let command = nextCommand(buffer); command; command = nextCommand(buffer)) {
        buffer = buffer.slice(command.length);
        const [name, ...args] = command.args;
        socket.write(`-ERR unknown command '${name}', with args beginning with: ${args.map(a => `'${a}'`).join(' ')}\r\n`);
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise(resolve => server.close(() => resolve())) };
}

/** The first complete RESP command in the buffer: its arguments and how many characters it took. */
function nextCommand(buffer: string): { args: string[]; length: number } | undefined {
  const head = /^\*(\d+)\r\n/.exec(buffer);
  if (!head) return undefined;
  let at = head[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(head[1]); i++) {
    const size = /^\$(\d+)\r\n/.exec(buffer.slice(at));
    if (!size || buffer.length < at + size[0].length + Number(size[1]) + 2) return undefined;
    at += size[0].length;
    args.push(buffer.slice(at, at + Number(size[1])));
    at += Number(size[1]) + 2;
  }
  return { args, length: at };
}

/** The ports a sweep's entities use: a Redis URL, the quoting server (ioredis options), a client of yours. */
export interface SweepPorts {
  readonly url: number;
  readonly ioredis: number;
  readonly client: number;
}

/**
 * The hooks every secrets sweep file needs: the quoting Redis and spare ports before all, mocks restored,
 * stores closed and the capture emptied after each test. `captureConsole()` collects what the console prints.
 */
export function secretsSweep(): { ports: () => SweepPorts; printed: string[]; captureConsole: () => void; leaks: string[]; noLeak: (what: string, text: string) => void } {
  let ports: SweepPorts | undefined;
  let quoting: Awaited<ReturnType<typeof quotingRedis>> | undefined;
  const printed: string[] = [];
  const leaks: string[] = [];
  beforeAll(async () => {
    // Locker's store connects to a server that quotes the AUTH arguments (its password) in its refusal.
    quoting = await quotingRedis();
    ports = { url: await sparePort(), ioredis: quoting.port, client: await sparePort() };
  });
  afterAll(() => quoting?.close());
  afterEach(async () => {
    vi.restoreAllMocks();
    printed.length = 0;
    leaks.length = 0;
    await closeStores();
  });
  return {
    ports: () => ports!,
    printed,
    leaks,
    captureConsole() {
      for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(a => (a instanceof Error ? errorText(a) : String(a))).join(' ')));
      }
    },
    /** Notes `what` in `leaks` (with the text around it) when its text holds a planted secret. */
    noLeak(what, text) {
      const at = text.search(LEAK);
      if (at >= 0) leaks.push(`${what}: …${text.slice(Math.max(0, at - 200), at + 60)}…`);
    },
  };
}
