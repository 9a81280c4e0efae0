// A body parser mounted before the console (express.json(), NestJS's default) has already read the request
// stream: the console takes what it parsed, with the same checks (JSON only, size limit, known fields).
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pluginConsole } from '../src/console.js';
import { readPluginState } from '../src/operations/index.js';
import { authorizeByToken, client, seed, startOrm } from './support/console-app.js';
import { sqlite, type TestOrm } from './support/databases.js';

let orm: TestOrm;
let close: () => Promise<void>;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  orm = await startOrm(sqlite);
  await seed(orm);
  const app = express();
  app.use(express.json({ limit: '1mb' }), express.urlencoded({ extended: false }), express.raw({ type: 'application/octet-stream' }));
  app.use('/admin/plugins', pluginConsole(orm, { authorize: authorizeByToken, maxBodyBytes: 2048 }).node);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>(resolve => server.once('listening', resolve));
  api = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '/admin/plugins');
  close = () => new Promise(resolve => (server.closeAllConnections(), server.close(() => resolve())));
});
afterAll(async () => {
  await close?.();
  await orm?.close(true);
});

const priorityOf = () => readPluginState(orm).find(row => row.plugin === 'conProbe' && row.entity === 'ConInvoice')?.priority ?? null;

test('a change whose body express.json() already parsed goes through', async () => {
  const changed = await api.call('POST', '/api/plugins/conProbe/priority', { body: { priority: 9, entity: 'ConInvoice' } });
  expect([changed.status, changed.json.plugin?.name]).toEqual([200, 'conProbe']);
  expect(priorityOf()).toBe(9);
});

test('the parsed body is checked as the console checks its own: size, type, fields; nothing changed', async () => {
  const before = priorityOf();
  const large = await api.call('POST', '/api/plugins/conProbe/priority', { body: { priority: 3, entity: 'ConInvoice', pad: 'x'.repeat(4000) } });
  expect([large.status, large.json.error.code]).toEqual([413, 'MOP_CONSOLE_BODY_TOO_LARGE']);
  const form = await api.call('POST', '/api/plugins/conProbe/priority', { raw: 'priority=3', contentType: 'application/x-www-form-urlencoded' });
  expect([form.status, form.json.error.code]).toEqual([400, 'MOP_CONSOLE_BAD_JSON']);
  const bytes = await api.call('POST', '/api/plugins/conProbe/priority', { raw: '{"priority":3}', contentType: 'application/octet-stream' });
  expect([bytes.status, bytes.json.error.code]).toEqual([400, 'MOP_CONSOLE_BAD_JSON']);
  const unknown = await api.call('POST', '/api/plugins/conProbe/priority', { body: { priority: 3, colour: 'red' } });
  expect([unknown.status, unknown.json.error.field]).toEqual([422, 'colour']);
  expect(priorityOf()).toBe(before);
});
