// PostgreSQL LISTEN/NOTIFY between two instances on a real server.
import { afterEach, expect, test } from 'vitest';
import { disablePlugin, enablePlugin, listPlugins, doctor, pluginStatePropagation, setPluginPriority, syncPluginState } from '../src/operations/index.js';
import { postgresql, type TestOrm } from './support/databases.js';
import { describeWith, eventually, firstInstance, nextInstance, nextRefresh, NOTIFY_ONLY, probeRuns } from './support/propagation-app.js';

const open: TestOrm[] = [];
afterEach(async () => {
  for (const orm of open.splice(0).reverse()) await orm.close();
});

async function pair(bOptions: Parameters<typeof nextInstance>[1] = { state: NOTIFY_ONLY }) {
  const errors: string[] = [];
  const a = await firstInstance(postgresql, {}, { state: NOTIFY_ONLY, onError: e => errors.push(String((e as Error).message)) });
  open.push(a);
  await syncPluginState(a);
  const b = await nextInstance(a, { ...bOptions, onError: e => errors.push(String((e as Error).message)) });
  open.push(b);
  return { a, b, errors };
}

/** Backends of this database listening on a channel (ours: `LISTEN "mop:..."`). */
async function listeners(orm: TestOrm): Promise<number> {
  const rows = await orm.em.getConnection().execute<{ n: string }[]>("select count(*) as n from pg_stat_activity where datname = current_database() and query like 'LISTEN \"mop:%'");
  return Number(rows[0]!.n);
}

describeWith('plugin state propagation by LISTEN/NOTIFY', postgresql, undefined, () => {
  test('a change made by instance A is honoured by B with polling off, by notification alone', async () => {
    const { a, b, errors } = await pair();
    expect(pluginStatePropagation(a)).toBe('postgres-notify');
    expect(pluginStatePropagation(b)).toBe('postgres-notify');
    expect(probeRuns(b)).toBe(true);

    const refreshed = nextRefresh(b);
    await disablePlugin(a, 'propProbe', { entity: 'PropPost' });
    await refreshed;
    expect(probeRuns(b)).toBe(false);

    await setPluginPriority(a, 'propProbe', 77);
    await enablePlugin(a, 'propProbe', { entity: 'PropPost' });
    expect(await eventually(() => probeRuns(b) && b.em.getMetadata() !== undefined && listPlugins(b).plugins[0]!.priority === 77)).toBe(true);
    expect(errors).toEqual([]);
  });

  test('a rolled-back change notifies nobody: NOTIFY goes out with the commit', async () => {
    const { a, b } = await pair();
    let refreshes = 0;
    const { operationsOf } = await import('../src/operations/index.js');
    operationsOf(b).propagation!.onRefresh(() => refreshes++);
    // A deferred trigger fails the commit after the version was bumped and NOTIFY issued in the transaction.
    const conn = a.em.getConnection();
    await conn.execute("create or replace function mop_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused at commit'; end $$");
    await conn.execute('create constraint trigger mop_refuse after update on plugin_state_version deferrable initially deferred for each row execute function mop_refuse()');
    await expect(disablePlugin(a, 'propProbe')).rejects.toThrow(/refused at commit/);
    await conn.execute('drop trigger mop_refuse on plugin_state_version');

    // Notifications arrive in commit order: had the first gone out, B would refresh for it before this one.
    const refreshed = nextRefresh(b);
    await setPluginPriority(a, 'propProbe', 5);
    await refreshed;
    expect(refreshes).toBe(1);
    expect(probeRuns(b)).toBe(true);
  });

  test('the listener reconnects after its connection is killed, reporting the drop once and no secret', async () => {
    const { a, b, errors } = await pair();
    expect(await listeners(a)).toBe(2);
    const reconnected = nextRefresh(b);
    await a.em.getConnection().execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN \"mop:%'");
    await reconnected;
    expect(errors.some(m => m.includes('plugin-state notifications (postgres-notify) are not connected'))).toBe(true);
    expect(await eventually(() => pluginStatePropagation(b) === 'postgres-notify')).toBe(true);

    const refreshed = nextRefresh(b);
    await disablePlugin(a, 'propProbe');
    await refreshed;
    expect(probeRuns(b)).toBe(false);
  });

  test('doctor and list say which propagation is in use', async () => {
    const { b } = await pair({ state: { pollInterval: 500, notify: false } });
    expect(pluginStatePropagation(b)).toBe('polling');
    expect(listPlugins(b).state.propagation).toBe('polling');
    expect((await doctor(b)).findings).toContainEqual({ level: 'ok', check: 'state', message: 'plugin-state propagation: polling the version counter' });
    const a = open[0]!;
    expect((await doctor(a)).findings).toContainEqual({ level: 'ok', check: 'state', message: 'plugin-state propagation: PostgreSQL LISTEN/NOTIFY' });
  });

  test('a writer with notify: false still notifies listening instances; orm.close() closes every listener', async () => {
    const { a, b } = await pair();
    const c = await nextInstance(a, { state: { pollInterval: false, notify: false } });
    open.push(c);
    expect(pluginStatePropagation(c)).toBe('none');
    const refreshed = nextRefresh(b);
    await disablePlugin(c, 'propProbe');
    await refreshed;
    expect(probeRuns(b)).toBe(false);

    expect(await listeners(c)).toBe(2);
    await b.close();
    open.splice(open.indexOf(b), 1);
    expect(pluginStatePropagation(b)).toBe('none');
    expect(await eventually(async () => (await listeners(c)) === 1)).toBe(true);
  });

  test('without pluginOperations({ state }) nothing listens', async () => {
    const a = await firstInstance(postgresql, {}, { state: false });
    open.push(a);
    expect(pluginStatePropagation(a)).toBe('none');
    expect(await listeners(a)).toBe(0);
  });
});
