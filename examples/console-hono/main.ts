// The plugin console in a Hono application through its web `fetch` handler (the same on Bun and Deno).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pluginConsole } from 'mikro-orm-plugins/console';
import { checkMountedConsole } from '../console-shared/check-mounted.js';
import { openSampleOrm } from '../console-shared/sample-orm.js';

const orm = await openSampleOrm();
const authorize = (request: { headers: Headers }) => (request.headers.get('authorization') === 'Bearer ada' ? { actor: 'ada', role: 'admin' as const } : null);

const app = new Hono();
const plugins = pluginConsole(orm, { prefix: '/admin/plugins', authorize });
app.all('/admin/plugins', ctx => plugins.fetch(ctx.req.raw));
app.all('/admin/plugins/*', ctx => plugins.fetch(ctx.req.raw));
app.get('/shop', ctx => ctx.text('the application'));

const server = await new Promise<ReturnType<typeof serve>>(resolve => {
  const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
});
try {
  await checkMountedConsole('Hono', {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    prefix: '/admin/plugins',
    admin: { authorization: 'Bearer ada' },
    appRoute: { path: '/shop', text: 'the application' },
  });
} finally {
  server.close();
  await orm.close();
}
