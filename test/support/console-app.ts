// An application with the plugin console mounted on a real node:http server, for the console API suites.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Collection } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { AuditPlugin, auditLog } from '../../src/audit.js';
import { CachePlugin } from '../../src/cache.js';
import { pluginConsole, type ConsoleGrant, type PluginConsoleOptions } from '../../src/console.js';
import { plugin, hook, PluginRegistry, pluginSystem, SoftDeletePlugin, withPlugins } from '../../src/index.js';
import { pluginOperations, syncPluginState } from '../../src/operations/index.js';
import type { Database, TestOrm } from './databases.js';

declare module '../../src/plugin-api.js' {
  interface PluginOptionsMap {
    conProbe: { label?: string; limit?: number; apiKey?: string; endpoint?: string };
  }
}

/** A secret planted in the probe's options: no response may ever hold it. */
export const PROBE_SECRET = `conSecret${Math.random().toString(36).slice(2, 10)}`;
export const PROBE_URL_SECRET = `conUrlPw${Math.random().toString(36).slice(2, 10)}`;

export const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin, audit: AuditPlugin, cache: CachePlugin });

@plugin({
  name: 'conProbe',
  registry,
  version: '1.2.0',
  description: 'a probe with options, a health check and a connection test',
  options: {
    fields: {
      label: { type: 'string', pattern: '[a-z]+', default: 'probe' },
      limit: { type: 'integer', min: 1, max: 100, default: 10 },
      apiKey: { type: 'string', secret: true },
      endpoint: { type: 'string' },
    },
    live: ['label', 'limit'],
  },
})
class ConProbe {
  healthy = true;
  @hook('beforeCreate', { priority: 40 }) stamp() {}
  healthCheck() {
    return this.healthy ? { ok: true, message: 'fine' } : { ok: false, message: `down, key ${PROBE_SECRET}` };
  }
  testConnection(options: { apiKey?: string }) {
    return { ok: false, message: `refused with key ${options.apiKey}` };
  }
}
void ConProbe;

@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['invoices'], deletedBy: 'deletedBy' } }, 'audit', { conProbe: { label: 'customer', apiKey: PROBE_SECRET, endpoint: `https://svc:${PROBE_URL_SECRET}@api.example.test/v1` } }])
@Entity()
export class ConCustomer {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany({ entity: () => ConInvoice, mappedBy: 'customer' }) invoices = new Collection<ConInvoice>(this);
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
  @Property({ type: 'string', nullable: true }) deletionBatch?: string | null;
  @Property({ type: 'string', nullable: true }) deletedBy?: string | null;
}

@withPlugins([{ softDelete: { deletedBy: 'deletedBy' } }, 'audit', { conProbe: { label: 'invoice', apiKey: PROBE_SECRET } }])
@Entity()
export class ConInvoice {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) number!: string;
  @Property({ type: 'integer' }) amount!: number;
  @ManyToOne({ entity: () => ConCustomer }) customer!: ConCustomer;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
  @Property({ type: 'string', nullable: true }) deletionBatch?: string | null;
  @Property({ type: 'string', nullable: true }) deletedBy?: string | null;
}

@withPlugins([{ cache: { store: 'memory' } }])
@Entity()
export class ConRate {
  @PrimaryKey({ type: 'string' }) code!: string;
  @Property({ type: 'integer' }) rate!: number;
}

/** Bearer tokens the test authorize function knows. */
export const TOKENS: Record<string, ConsoleGrant> = {
  admin: { actor: 'alice', role: 'admin' },
  reader: { actor: 'rita', role: 'read' },
};

export function authorizeByToken(request: { headers: Headers }): ConsoleGrant | null {
  const token = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return (token && TOKENS[token]) || null;
}

export async function startOrm(db: Database, logs: string[] = []): Promise<TestOrm> {
  const orm = await db.init({
    entities: [ConCustomer, ConInvoice, ConRate],
    extensions: [pluginSystem({ registry }), pluginOperations({ state: { pollInterval: false } }), auditLog()],
    debug: true,
    logger: (message: string) => logs.push(message),
  });
  await syncPluginState(orm);
  return orm;
}

export interface Served {
  readonly base: string;
  close(): Promise<void>;
}

/** A real node:http server around a handler. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const server: Server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise(resolve => (server.closeAllConnections(), server.close(() => resolve()))) };
}

/** The console under `/admin/plugins` with `options.prefix`, as node:http or Fastify mount it. */
export function serveWithPrefix(orm: TestOrm, options: Partial<PluginConsoleOptions> = {}): Promise<Served> {
  const c = pluginConsole(orm, { authorize: authorizeByToken, prefix: '/admin/plugins', ...options } as PluginConsoleOptions);
  return serve((req, res) => c.node(req, res, () => {
    res.statusCode = 418;
    res.end('the app');
  }));
}

/** The console mounted the Express way: the server strips the mount path into `req.url` and keeps `originalUrl`. */
export function serveStripped(orm: TestOrm, mount = '/ops/console'): Promise<Served> {
  const c = pluginConsole(orm, { authorize: authorizeByToken });
  return serve((req, res) => {
    const url = req.url ?? '/';
    if (url !== mount && !url.startsWith(`${mount}/`) && !url.startsWith(`${mount}?`)) {
      res.statusCode = 418;
      return res.end('the app');
    }
    Object.assign(req, { originalUrl: url, url: url.slice(mount.length) || '/' });
    c.node(req, res);
  });
}

export interface Call {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A client of one console: `as` a token (admin, reader, or none), same-origin by default, with the session's CSRF token for POSTs. */
export function client(base: string, prefix: string) {
  const tokens = new Map<string, string>();
  async function call(method: string, path: string, init: { as?: string; body?: unknown; raw?: string | Uint8Array; origin?: string | null; csrf?: string | null; contentType?: string } = {}): Promise<Call> {
    const headers: Record<string, string> = {};
    const as = init.as === undefined ? 'admin' : init.as;
    if (as) headers.authorization = `Bearer ${as}`;
    if (method !== 'GET') {
      const origin = init.origin === undefined ? base : init.origin;
      if (origin !== null) headers.origin = origin;
      const csrf = init.csrf === undefined ? await token(as) : init.csrf;
      if (csrf !== null) headers['x-csrf-token'] = csrf;
      headers['content-type'] = init.contentType ?? 'application/json';
    }
    const response = await fetch(`${base}${prefix}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(method !== 'GET' && { body: init.raw ?? JSON.stringify(init.body ?? {}) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }
  async function token(as: string): Promise<string> {
    if (!as) return 'none';
    let t = tokens.get(as);
    if (!t) {
      const session = await call('GET', '/api/session', { as });
      t = String(session.json?.csrfToken ?? 'none');
      tokens.set(as, t);
    }
    return t;
  }
  return { call, token };
}

/** What a refused request must leave as it was: the plugin state, the rows, soft-delete marks. */
export async function snapshot(orm: TestOrm): Promise<string> {
  const q = (name: string) => orm.em.getPlatform().quoteIdentifier(name);
  const connection = orm.em.getConnection();
  const read = (table: string, order: string) => connection.execute(`select * from ${q(table)} order by ${q(order)}`);
  const [state, version, customers, invoices] = await Promise.all([
    read('plugin_state', 'id'),
    read('plugin_state_version', 'id'),
    read('con_customer', 'id'),
    read('con_invoice', 'id'),
  ]);
  // updated_at of plugin_state moves only with a change, so it is part of what must stay.
  return JSON.stringify({ state, version, customers, invoices }, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** Customer 1 with invoices 1-3, customer 2 with invoice 4. */
export async function seed(orm: TestOrm): Promise<void> {
  const em = orm.em.fork();
  const acme = em.create(ConCustomer, { id: 1, name: 'Acme' });
  const globex = em.create(ConCustomer, { id: 2, name: 'Globex' });
  for (const [id, amount] of [[1, 100], [2, 200], [3, 300]] as const) em.create(ConInvoice, { id, number: `INV-${id}`, amount, customer: acme });
  em.create(ConInvoice, { id: 4, number: 'INV-4', amount: 400, customer: globex });
  em.create(ConRate, { code: 'EUR', rate: 100 });
  await em.flush();
}
