// The plugin console on a plain node:http server, under /admin/plugins, next to the application's own routes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineEntity, MikroORM, p } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { auditLog } from 'mikro-orm-plugins/audit';
import { pluginConsole, type ConsoleGrant } from 'mikro-orm-plugins/console';
import { pluginOperations, syncPluginState } from 'mikro-orm-plugins/operations';
import { pluginSystem, softDeleteProperties, usePlugins } from 'mikro-orm-plugins';

const Invoice = usePlugins(
  defineEntity({ name: 'Invoice', properties: { id: p.integer().primary(), total: p.integer(), ...softDeleteProperties() } }),
  ['softDelete', 'audit'],
);

const orm = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  entities: [Invoice],
  extensions: [pluginSystem(), pluginOperations(), auditLog()],
});
await orm.schema.create();
await syncPluginState(orm);

// Your own sign-in decides: here a bearer token per person. No grant, no console (401).
const people: Record<string, ConsoleGrant> = { 'token-ada': { actor: 'ada', role: 'admin' }, 'token-bob': { actor: 'bob', role: 'read' } };
const plugins = pluginConsole(orm, {
  prefix: '/admin/plugins',
  authorize: request => people[request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null,
});

const server = createServer((req, res) => {
  // Requests outside the prefix go on to the application.
  plugins.node(req, res, () => {
    res.setHeader('content-type', 'text/plain');
    res.end('the application');
  });
});
await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function call(method: string, path: string, token: string, body?: unknown, csrf?: string) {
  const response = await fetch(`${base}/admin/plugins${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json', origin: base, 'x-csrf-token': csrf ?? '' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

try {
  const session = await call('GET', '/api/session', 'token-ada');
  console.log(`signed in as ${session.json.actor} (${session.json.role}); changes reach other instances by ${session.json.propagation}`);
  const { json } = await call('GET', '/api/plugins', 'token-ada');
  console.log('plugins:', json.plugins.map((x: { name: string; status: string }) => `${x.name}=${x.status}`).join(', '));

  const disabled = await call('POST', '/api/plugins/softDelete/status', 'token-ada', { status: 'disabled', entity: 'Invoice' }, session.json.csrfToken);
  if (disabled.status !== 200) throw new Error(`disabling failed: ${JSON.stringify(disabled.json)}`);
  const reader = await call('GET', '/api/session', 'token-bob');
  const refused = await call('POST', '/api/plugins/softDelete/status', 'token-bob', { status: 'active' }, reader.json.csrfToken);
  console.log(`bob (read role) trying a change: ${refused.status} ${refused.json.error.code}`);
  if (refused.status !== 403) throw new Error('the read role must not change anything');

  const audit = await call('GET', '/api/audit?entity=PluginConsole', 'token-bob');
  console.log('audit:', audit.json.records.map((r: { actor: string; details: { action: string } }) => `${r.actor} ${r.details.action}`).join('; '));
  const outside = await fetch(`${base}/shop`);
  console.log(`GET /shop -> ${await outside.text()}`);
} finally {
  server.close();
  await orm.close();
}
