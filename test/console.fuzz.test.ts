// Issue #17 §3: fast-check throws request bodies and query strings at every console endpoint (as an
// admin with a valid origin and CSRF token, so the body is what is judged). Every refusal is a 4xx
// JSON error with a declared MOP_CONSOLE_* code and its status, and leaves the database as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { CONSOLE_ERRORS } from '../src/console.js';
import { client, seed, serveWithPrefix, snapshot, startOrm, type Served } from './support/console-app.js';
import { sqlite, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 300_000 });
const RUNS = Number(process.env.CONSOLE_FUZZ_RUNS ?? 60);

const STATUS: Record<string, number> = {
  MOP_CONSOLE_UNAUTHORIZED: 401, MOP_CONSOLE_FORBIDDEN: 403, MOP_CONSOLE_CROSS_ORIGIN: 403, MOP_CONSOLE_CSRF: 403, MOP_CONSOLE_NOT_FOUND: 404,
  MOP_CONSOLE_METHOD: 405, MOP_CONSOLE_BAD_JSON: 400, MOP_CONSOLE_BODY_TOO_LARGE: 413, MOP_CONSOLE_INVALID: 422, MOP_CONSOLE_CONFIRM_REQUIRED: 422, MOP_CONSOLE_CONFLICT: 409,
  MOP_CONSOLE_NOT_LIVE: 409, MOP_CONSOLE_NO_STATE: 409, MOP_CONSOLE_REDACTED: 409,
};

let orm: TestOrm;
let server: Served;
let api: ReturnType<typeof client>['call'];
beforeAll(async () => {
  orm = await startOrm(sqlite);
  await seed(orm);
  server = await serveWithPrefix(orm, { maxBodyBytes: 2048 });
  api = client(server.base, '/admin/plugins').call;
});
afterAll(async () => {
  await server.close();
  await orm.close(true);
});

const name = fc.oneof(fc.constantFrom('conProbe', 'softDelete', 'audit', 'cache', 'ConInvoice', 'ConCustomer', 'ConRate', 'Nope', '', '*', '__proto__'), fc.string({ maxLength: 12 }));
const near = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 2 ** 31, 1.5, '', '***', [], {}, 'disabled', 'active', 'EUR', 4, 'ConInvoice:4'),
  fc.integer(),
  name,
  fc.jsonValue({ maxDepth: 2 }),
);
const bodyObject = fc.dictionary(fc.constantFrom('status', 'priority', 'entity', 'options', 'batch', 'id', 'confirm', 'key', 'at', 'eventId', 'x'), near, { maxKeys: 4 });
const options = fc.record({ options: fc.dictionary(fc.constantFrom('label', 'limit', 'apiKey', 'endpoint', 'other'), near, { maxKeys: 3 }), entity: fc.option(name, { nil: undefined }) }, { requiredKeys: ['options'] });
const raw = fc.oneof(
  bodyObject.map(b => JSON.stringify(b)),
  options.map(b => JSON.stringify(b)),
  fc.jsonValue().map(v => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 2100, maxLength: 2200 }).map(s => JSON.stringify({ status: s })),
);
const POSTS = ['/api/plugins/conProbe/status', '/api/plugins/conProbe/priority', '/api/plugins/conProbe/options', '/api/plugins/cache/options', '/api/trash/restore', '/api/trash/hard-delete', '/api/cache/clear', '/api/plugins/conProbe/test-connection', '/api/audit/revert'];
const GETS = ['/api/chains', '/api/audit', '/api/audit/state', '/api/trash', '/api/plugins'];
const queryKey = fc.constantFrom('entity', 'id', 'actor', 'from', 'to', 'limit', 'format', 'at', 'x');
const queryValue = fc.oneof(name, fc.constantFrom('2026-01-01T00:00:00Z', 'csv', 'json', 'mermaid', '-1', '0', '99999', '1', 'yesterday', '%', '%ZZ'), fc.string({ maxLength: 10 }));

function checkRefusal(response: { status: number; json: any; text: string }): void {
  if (response.status < 400) return;
  expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
  const code = response.json?.error?.code;
  expect(Object.keys(CONSOLE_ERRORS), response.text.slice(0, 300)).toContain(code);
  expect(response.status).toBe(STATUS[code]);
  expect(typeof response.json.error.message).toBe('string');
}

test('fuzzed POST bodies: a 2xx, or a 4xx JSON error with a stable code and nothing changed', async () => {
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...POSTS), raw, async (path, body) => {
      const before = await snapshot(orm);
      const response = await api('POST', path, { raw: body });
      checkRefusal(response);
      if (response.status >= 400) {
        refused++;
        expect(await snapshot(orm), `${path} ${body.slice(0, 200)}`).toBe(before);
      }
    }),
    { numRuns: RUNS * POSTS.length },
  );
  expect(refused).toBeGreaterThan(RUNS);
});

test('fuzzed query strings and paths: a 2xx, or a 4xx JSON error with a stable code', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...GETS), fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }), fc.string({ maxLength: 8 }), async (path, pairs, tail) => {
      const query = pairs.map(([k, v]) => `${k}=${/%/.test(v) ? v : encodeURIComponent(v)}`).join('&');
      checkRefusal(await api('GET', `${path}?${query}`));
      checkRefusal(await api('GET', `/api/plugins/${encodeURIComponent(tail)}/${encodeURIComponent(tail)}`));
    }),
    { numRuns: RUNS * GETS.length },
  );
});
