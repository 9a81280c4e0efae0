// The plugin console in a Fastify application. Fastify keeps the whole path, so the console gets its prefix.
import Fastify from 'fastify';
import { pluginConsole } from 'mikro-orm-plugins/console';
import { checkMountedConsole } from '../console-shared/check-mounted.js';
import { openSampleOrm } from '../console-shared/sample-orm.js';

const orm = await openSampleOrm();
const authorize = (request: { headers: Headers }) => (request.headers.get('authorization') === 'Bearer ada' ? { actor: 'ada', role: 'admin' as const } : null);

const fastify = Fastify();
const plugins = pluginConsole(orm, { prefix: '/admin/plugins', authorize });
await fastify.register(async scope => {
  // The console reads its own request bodies: these routes leave them unparsed.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  for (const url of ['/admin/plugins', '/admin/plugins/*']) {
    scope.all(url, (request, reply) => {
      reply.hijack();
      plugins.node(request.raw, reply.raw);
    });
  }
});
fastify.get('/shop', async () => 'the application');

const origin = await fastify.listen({ port: 0, host: '127.0.0.1' });
try {
  await checkMountedConsole('Fastify', { origin, prefix: '/admin/plugins', admin: { authorization: 'Bearer ada' }, appRoute: { path: '/shop', text: 'the application' } });
} finally {
  await fastify.close();
  await orm.close();
}
