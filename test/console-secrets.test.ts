// Issue #17 §3: a unique secret planted in every secret-bearing option (test/support/secrets-app.ts) never
// appears in any console response (every GET, every check, refused and accepted edits), the page, a log line or an error.
import { expect, test, vi } from 'vitest';
import { auditLog } from '../src/audit.js';
import { pluginConsole } from '../src/console.js';
import { syncPluginState } from '../src/operations/index.js';
import { client, serve } from './support/console-app.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';
import { allRows, errorText, LEAK, S, secretsEntities, secretsOptions, secretsSweep } from './support/secrets-app.js';

vi.setConfig({ testTimeout: 120_000 });

const sweep = secretsSweep();

describeEachDatabase('the console never shows a planted secret', db => {
  test('every GET, health and connection test of every plugin, option edits (refused and stored), the page, logs, errors, rows', async () => {
    sweep.captureConsole();
    const ports = sweep.ports();
    const logs: string[] = [];
    const base = secretsOptions(undefined, secretsEntities(ports));
    const orm: TestOrm = await db.init({ ...base, extensions: [...(base.extensions ?? []), auditLog()], debug: true, logger: (message: string) => logs.push(message) });
    const errors: unknown[] = [];
    const c = pluginConsole(orm, { authorize: () => ({ actor: 'sweeper', role: 'admin' }), prefix: '/c', onError: error => errors.push(error) });
    const server = await serve(c.node);
    const out: Record<string, string> = {};
    try {
      await syncPluginState(orm);
      const em = orm.em.fork();
      const { call } = client(server.base, '/c');
      for (const path of ['/', '/assets/console.js', '/assets/console.css', '/api/session', '/api/plugins', '/api/chains?format=mermaid', '/api/entities', '/api/audit', '/api/audit?format=csv', '/api/trash', '/api/cache']) {
        out[`GET ${path}`] = (await call('GET', path)).text;
      }
      for (const name of ['vault', 'cache']) {
        out[`health ${name}`] = (await call('POST', `/api/plugins/${name}/health`)).text;
        out[`test ${name}`] = (await call('POST', `/api/plugins/${name}/test-connection`)).text;
        for (const entity of ['Safe', 'Locker', 'Drawer', 'Box']) out[`test ${name} ${entity}`] = (await call('POST', `/api/plugins/${name}/test-connection`, { body: { entity } })).text;
      }
      const edits: Record<string, unknown>[] = [
        { token: '***', pin: '***', creds: '***', keys: '***', endpoint: 'ftp://nope' },
        { token: 'changed' },
        { endpoint: `https://svc:***@api.example.test/v1` },
        { endpoint: 'https://other.example.test' },
      ];
      for (const [i, options] of edits.entries()) out[`options ${i}`] = (await call('POST', '/api/plugins/vault/options', { body: { entity: 'Safe', options } })).text;
      out['cache options'] = (await call('POST', '/api/plugins/cache/options', { body: { entity: 'Safe', options: { ttl: -1 } } })).text;
      out['after edits'] = (await call('GET', '/api/plugins')).text;
      await em.flush();
      out.rows = await allRows(orm);
    } finally {
      await server.close();
      await orm.close(true);
    }
    out.logs = logs.join('\n');
    out.console = sweep.printed.join('\n');
    out.errors = errors.map(errorText).join('\n');
    for (const [what, text] of Object.entries(out)) sweep.noLeak(what, text);
    expect(sweep.leaks).toEqual([]);
    // The routes were taken: the checks failed quoting the secrets, shown masked; options were shown masked.
    expect(out['health vault']).toContain('vault unreachable: token ***, pin ***');
    expect(out['test vault']).toContain('refused: token ***');
    expect(out['GET /api/plugins']).toContain('"token":"***"');
    expect(out['GET /api/plugins']).toContain(`redis://mop:***@127.0.0.1:${ports.url}/0`);
    expect(JSON.parse(out['options 1']!).error.issues).toEqual([{ path: 'token', message: expect.stringContaining('write-only') }]);
    expect(JSON.parse(out['options 0']!).error.field).toBe('options.endpoint');
    expect(JSON.parse(out['options 3']!).plugin.storedOptions.Safe.endpoint).toBe('https://other.example.test');
    expect(out.rows).toContain('PluginConsole');
    expect(S.token).toMatch(LEAK);
  });
});
