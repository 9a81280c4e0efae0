// Propagation without servers: which mode is reported, polling as the fallback, option checks, no secret in warnings.
import { afterAll, afterEach, expect, test, vi } from 'vitest';
import { PluginError } from '../src/index.js';
import { disablePlugin, doctor, listPlugins, pluginOperations, pluginStatePropagation, syncPluginState } from '../src/operations/index.js';
import { sqlite, type TestOrm } from './support/databases.js';
import { sparePort } from './support/cache-redis.js';
import { eventually, firstInstance, nextInstance, probeRuns, removeTempDirs, sharedConnection } from './support/propagation-app.js';

const open: TestOrm[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const orm of open.splice(0).reverse()) await orm.close();
});
afterAll(removeTempDirs);

async function start(state: Parameters<typeof pluginOperations>[0] = {}) {
  const orm = await firstInstance(sqlite, sharedConnection(sqlite), state);
  open.push(orm);
  return orm;
}

test('SQLite without Redis polls; polling off is none; no state is none; a closed ORM is none', async () => {
  expect(pluginStatePropagation(await start())).toBe('polling');
  expect(listPlugins(open[0]!).state.propagation).toBe('polling');
  expect(pluginStatePropagation(await start({ state: { pollInterval: false } }))).toBe('none');
  expect(pluginStatePropagation(await start({ state: false }))).toBe('none');
  const closed = await start({ state: { pollInterval: 50 } });
  await closed.close();
  open.pop();
  expect(pluginStatePropagation(closed)).toBe('none');
});

test('Redis unreachable: falls back to polling, which carries the change, and no warning shows the URL password', async () => {
  const port = await sparePort();
  const password = 'pw-S3CRET-propagation';
  const warnings: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
  const errors: unknown[] = [];
  const state = { pollInterval: 20, notify: { redis: `redis://user:${password}@127.0.0.1:${port}/0`, channel: 'mop-test-unreachable' } };
  const a = await firstInstance(sqlite, sharedConnection(sqlite), { state, onError: e => errors.push(e) });
  open.push(a);
  // The default onError: console.warn.
  const b = await nextInstance(a, { state });
  open.push(b);
  expect(pluginStatePropagation(a)).toBe('polling');
  expect(pluginStatePropagation(b)).toBe('polling');

  await syncPluginState(a);
  await disablePlugin(a, 'propProbe');
  expect(await eventually(() => !probeRuns(b))).toBe(true);

  const report = JSON.stringify(await doctor(a));
  expect(report).toContain('plugin-state propagation: polling the version counter, as Redis pub/sub is not connected (reconnecting)');
  expect(report).not.toContain(password);

  const reported = errors.map(e => (e as PluginError).message);
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.every(e => e instanceof PluginError && e.code === 'MOP_STATE_NOTIFY_FAILED')).toBe(true);
  expect(reported[0]).toContain('plugin-state notifications (redis) are not connected');
  expect(reported[0]).toContain('polling every 20 ms');
  expect(warnings.some(w => w.startsWith('mikro-orm-plugins: [MOP_STATE_NOTIFY_FAILED] plugin-state notifications (redis) are not connected'))).toBe(true);
  for (const text of [...reported, ...warnings]) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(encodeURIComponent(password));
  }
});

test('state.notify given wrong values throws typed errors naming the option, the URL password masked', () => {
  const bad: [unknown, string][] = [
    ['yes', 'state.notify'],
    [[], 'state.notify'],
    [{ channel: '' }, 'state.notify.channel'],
    [{ channel: 'x'.repeat(64) }, 'state.notify.channel'],
    [{ safetyPollInterval: -1 }, 'state.notify.safetyPollInterval'],
    [{ redis: 42 }, 'state.notify.redis'],
    [{ redis: { publish: () => 0 } }, 'state.notify.redis'],
  ];
  for (const [notify, option] of bad) {
    const caught = (() => {
      try {
        pluginOperations({ state: { notify: notify as never } });
      } catch (error) {
        return error;
      }
    })();
    expect(caught, JSON.stringify(notify)).toBeInstanceOf(PluginError);
    expect((caught as PluginError).code).toBe('MOP_INVALID_ARGUMENT');
    expect((caught as PluginError).option).toBe(option);
  }
  expect(() => pluginOperations({ state: { notify: { redis: 'http://u:hunter2-secret@host' } } })).toThrow(
    expect.objectContaining({ code: 'MOP_INVALID_OPTIONS', option: 'state.notify.redis', message: expect.not.stringContaining('hunter2-secret') }),
  );
});

test('orm.close() waits for a poll that is reading, so the connection never closes under it', async () => {
  const errors: unknown[] = [];
  const orm = await firstInstance(sqlite, sharedConnection(sqlite), { state: { pollInterval: 5 }, onError: e => errors.push(e) });
  const connection = orm.em.getConnection();
  const execute = connection.execute.bind(connection);
  let reading!: () => void;
  const pollReading = new Promise<void>(resolve => (reading = resolve));
  let finishRead!: () => void;
  const held = new Promise<void>(resolve => (finishRead = resolve));
  let holding = true;
  // Holds the poll's first read of the version counter (on the real connection) until the test lets it go.
  vi.spyOn(connection, 'execute').mockImplementation((async (...args: Parameters<typeof execute>) => {
    if (holding && /plugin_state_version/.test(String(args[0]))) {
      holding = false;
      reading();
      await held;
    }
    return execute(...args);
  }) as typeof connection.execute);
  await pollReading;

  let closed = false;
  const closing = orm.close().then(() => (closed = true));
  await new Promise(resolve => setTimeout(resolve, 50));
  expect(closed).toBe(false);
  finishRead();
  await closing;
  expect(closed).toBe(true);
  expect(errors).toEqual([]);
});
