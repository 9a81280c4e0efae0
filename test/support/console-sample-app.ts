// A small application with the plugin console mounted at /admin/plugins on a real node:http server, on SQLite.
// The host app's login sets a cookie; `authorize` reads it (alice is admin, victor read-only). Used by the
// browser tests and the screenshot script.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { auditLog } from '../../src/audit.js';
// Registers the cache plugin.
import '../../src/cache.js';
import { pluginConsole, type ConsoleGrant } from '../../src/console.js';
import { hook, plugin, pluginSystem, runWithContext, withPlugins, type HealthCheckResult } from '../../src/index.js';
import { pluginOperations } from '../../src/operations/index.js';

declare module '../../src/plugin-api.js' {
  interface PluginOptionsMap {
    mailer: { host?: string; port?: number; apiKey?: string };
  }
}

/** Planted in the mailer's secret option: it must never reach the page. */
export const MAILER_SECRET = 'sk-console-SECRET-5d1e';

@plugin({
  name: 'mailer',
  version: '1.2.0',
  description: 'Mails the customer about each new invoice.',
  options: {
    fields: {
      host: { type: 'string', default: 'smtp.example.test', description: 'SMTP host', group: 'server', order: 1 },
      port: { type: 'integer', default: 587, min: 1, max: 65535, description: 'SMTP port', group: 'server', order: 2 },
      apiKey: { type: 'string', secret: true, required: true, min: 8, description: 'Provider API key', group: 'credentials' },
    },
    live: ['host', 'port'],
  },
})
export class MailerPlugin {
  readonly sent: string[] = [];

  @hook('afterCreate', { priority: 40 })
  mail(invoice: Invoice): void {
    this.sent.push(invoice.number);
  }

  healthCheck(): HealthCheckResult {
    return { ok: true, message: `${this.sent.length} sent` };
  }

  testConnection(): HealthCheckResult {
    return { ok: true, message: 'SMTP answered' };
  }
}

@withPlugins([
  'timestamp',
  { softDelete: { deletedBy: 'deletedBy' } },
  { audit: { exclude: ['createdAt', 'updatedAt'] } },
  { mailer: { apiKey: MAILER_SECRET } },
])
@Entity()
export class Invoice {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) number!: string;
  @Property({ type: 'string' }) customer!: string;
  @Property({ type: 'integer' }) amount!: number;
  declare createdAt?: Date;
  declare updatedAt?: Date;
  declare deletedAt?: Date | null;
  declare deletedBy?: string | null;
}

@withPlugins(['timestamp', { audit: { exclude: ['createdAt', 'updatedAt'] } }, { cache: { store: 'memory' } }])
@Entity()
export class Customer {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  declare createdAt?: Date;
  declare updatedAt?: Date;
}

const GRANTS: Record<string, ConsoleGrant> = {
  alice: { actor: 'alice', role: 'admin' },
  victor: { actor: 'victor', role: 'read' },
};

function userOf(request: { headers: Headers } | IncomingMessage): string | undefined {
  const header = request.headers instanceof Headers ? request.headers.get('cookie') : (request as IncomingMessage).headers.cookie;
  return /(?:^|;\s*)user=(\w+)/.exec(header ?? '')?.[1];
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><title>Sign in</title><main><h1>Sign in</h1>
<form method="post" action="/login"><label for="user">User</label> <select id="user" name="user">
<option>alice</option><option>victor</option></select> <button type="submit">Sign in</button></form></main></html>`;

export interface ConsoleApp {
  readonly orm: MikroORM;
  /** The console page, ending in '/'. */
  readonly consoleUrl: string;
  readonly origin: string;
  /** Invoice 1's life: created by alice (amount 100), changed by bob (250), deleted by carol. */
  readonly changedId: number;
  close(): Promise<void>;
}

/** Seeds: invoice 1 (created, changed, deleted one by one), invoices 2 and 3 of acme deleted in one batch, invoice 4 live. */
async function seed(orm: MikroORM): Promise<number> {
  const as = <T>(actor: string, fn: () => Promise<T>) => runWithContext({ actor }, fn);
  // Apart by a few milliseconds, so each change has its own moment for "state as of".
  const step = () => sleep(15);
  const first = await as('alice', async () => {
    const em = orm.em.fork();
    const invoice = em.create(Invoice, { number: 'INV-1', customer: 'globex', amount: 100 });
    em.create(Invoice, { number: 'INV-2', customer: 'acme', amount: 20 });
    em.create(Invoice, { number: 'INV-3', customer: 'acme', amount: 30 });
    em.create(Invoice, { number: 'INV-4', customer: 'initech', amount: 40 });
    await em.flush();
    return invoice.id;
  });
  await step();
  await as('bob', async () => {
    const em = orm.em.fork();
    (await em.findOneOrFail(Invoice, first)).amount = 250;
    await em.flush();
  });
  await step();
  await as('carol', async () => {
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(Invoice, first));
    await em.flush();
  });
  await step();
  await as('dave', () => orm.em.fork().nativeDelete(Invoice, { customer: 'acme' }));
  // A few cache reads, so the counters show something.
  const customer = await as('alice', async () => {
    const em = orm.em.fork();
    const globex = em.create(Customer, { name: 'Globex' });
    await em.flush();
    return globex.id;
  });
  for (let i = 0; i < 3; i++) await orm.em.fork().findOne(Customer, customer);
  return first;
}

export async function startConsoleApp(): Promise<ConsoleApp> {
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities: [Invoice, Customer],
    extensions: [pluginSystem(), auditLog(), pluginOperations({ state: { pollInterval: 200 } })],
    allowGlobalContext: true,
  });
  await orm.schema.create();
  const changedId = await seed(orm);

  const console_ = pluginConsole(orm, {
    prefix: '/admin/plugins',
    authorize: request => {
      const user = userOf(request.node ?? request);
      return user ? (GRANTS[user] ?? null) : null;
    },
  });

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE);
      return;
    }
    if (req.method === 'POST' && req.url === '/login') {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        const user = new URLSearchParams(body).get('user') ?? '';
        const known = user in GRANTS;
        res.writeHead(303, { location: '/admin/plugins/', ...(known ? { 'set-cookie': `user=${user}; Path=/; HttpOnly; SameSite=Strict` } : {}) }).end();
      });
      return;
    }
    console_.node(req, res, () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    orm,
    origin,
    consoleUrl: `${origin}/admin/plugins/`,
    changedId,
    async close() {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
      await orm.close(true);
    },
  };
}
