import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/sqlite';
import { auditLog, history, stateAt, type AuditSink } from 'mikro-orm-plugins/audit';
import { pluginSystem } from 'mikro-orm-plugins';
import { Ticket } from './entities.js';
import { auditContext, type Handler } from './middleware.js';

// A second sink besides the audit table; it runs after each commit and can never fail a write.
const logSink: AuditSink = {
  name: 'console',
  write: record => console.log(`  [sink] ${record.actor} ${record.operation} ${record.entity} ${record.entityId}`),
};

const orm = await MikroORM.init({
  dbName: ':memory:',
  entities: [Ticket],
  extensions: [pluginSystem(), auditLog({ sinks: [logSink] })],
});
await orm.schema.create();

const readBody = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text === '' ? {} : (JSON.parse(text) as Record<string, string>);
};

// The app: one fork per request, no audit code in sight.
const app: Handler = async (req, res) => {
  const em = orm.em.fork();
  const [, , id] = (req.url ?? '').split('/');
  const body = await readBody(req);
  if (req.method === 'POST') {
    const ticket = em.create(Ticket, { title: body.title!, accessCode: body.accessCode ?? null });
    await em.flush();
    res.writeHead(201).end(JSON.stringify({ id: ticket.id }));
    return;
  }
  const ticket = await em.findOneOrFail(Ticket, Number(id));
  if (req.method === 'PATCH') em.assign(ticket, body);
  if (req.method === 'DELETE') em.remove(ticket);
  await em.flush();
  res.writeHead(204).end();
};

const server = createServer((req, res) => {
  auditContext(app)(req, res).catch(error => res.writeHead(500).end(String(error)));
});
await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const call = (method: string, path: string, user: string, body?: object) =>
  fetch(`${base}${path}`, {
    method,
    headers: { 'x-user': user, 'x-request-id': `${user}-${method.toLowerCase()}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });

console.log('1. requests from two users, two of them at once:');
const created = (await (await call('POST', '/tickets', 'alice', { title: 'Printer on fire', accessCode: 'door-4711' })).json()) as { id: number };
await Promise.all([
  call('PATCH', `/tickets/${created.id}`, 'bob', { status: 'in progress' }),
  call('POST', '/tickets', 'carol', { title: 'Coffee machine' }),
]);
const beforeDelete = new Date();
await call('DELETE', `/tickets/${created.id}`, 'alice');
server.close();

console.log(`2. history of ticket ${created.id}, newest first:`);
const records = await history(orm.em.fork(), Ticket, created.id);
for (const r of records) {
  // deletedAt holds the time of the run; shown as <date> so the output stays the same.
  const changes = JSON.stringify(r.changes, (key, value) => (key === 'deletedAt' ? value.map((d: unknown) => d && '<date>') : value));
  console.log(`  ${r.operation.padEnd(10)} by ${r.actor} (request ${r.requestId}): ${changes}`);
}
const bobs = await history(orm.em.fork(), Ticket, created.id, { actor: 'bob' });
console.log(`3. changes by bob: ${bobs.map(r => r.operation).join(', ')}`);
const then = await stateAt(orm.em.fork(), Ticket, created.id, beforeDelete);
console.log(`4. state before the delete: title=${then?.title} status=${then?.status} accessCode=${then?.accessCode} deleted=${then?.deletedAt != null}`);

await orm.close();
