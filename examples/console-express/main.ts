// The plugin console in an Express application, mounted on /admin/plugins next to the application's routes.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pluginConsole } from 'mikro-orm-plugins/console';
import { checkMountedConsole } from '../console-shared/check-mounted.js';
import { openSampleOrm } from '../console-shared/sample-orm.js';

const orm = await openSampleOrm();
const authorize = (request: { headers: Headers }) => (request.headers.get('authorization') === 'Bearer ada' ? { actor: 'ada', role: 'admin' as const } : null);

const app = express();
// Express strips the mount path, so no prefix. A JSON body express.json() parsed first is taken as parsed.
app.use(express.json());
app.use('/admin/plugins', pluginConsole(orm, { authorize }).node);
app.get('/shop', (_req, res) => {
  res.type('text/plain').send('the application');
});

const server = app.listen(0, '127.0.0.1');
await new Promise<void>(resolve => server.once('listening', resolve));
try {
  await checkMountedConsole('Express', {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    prefix: '/admin/plugins',
    admin: { authorization: 'Bearer ada' },
    appRoute: { path: '/shop', text: 'the application' },
  });
} finally {
  server.close();
  await orm.close();
}
